package cognitoidp

import (
	"math/big"
	"testing"
)

func TestSRPGroup(t *testing.T) {
	if srpN.BitLen() != 3072 || !srpN.ProbablyPrime(16) {
		t.Fatal("N is not a 3072-bit prime")
	}
	// RFC 3526: p = 2^3072 - 2^3008 - 1 + 2^64 * (floor(2^2942 pi) + 1690314),
	// so its top and bottom 64 bits are all ones.
	ones := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 64), big.NewInt(1))
	if new(big.Int).And(srpN, ones).Cmp(ones) != 0 || new(big.Int).Rsh(srpN, 3008).Cmp(ones) != 0 {
		t.Error("N does not have RFC 3526's form")
	}
	for _, tc := range []struct{ n, want string }{{"f", "0f"}, {"8f", "008f"}, {"7f", "7f"}, {"100", "0100"}} {
		n, _ := new(big.Int).SetString(tc.n, 16)
		if got := padHex(n); got != tc.want {
			t.Errorf("padHex(%s) = %s, want %s", tc.n, got, tc.want)
		}
	}
}
