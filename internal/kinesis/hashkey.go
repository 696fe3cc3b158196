package kinesis

import (
	"crypto/md5"
	"math/big"
)

// hashSpace is 2^128: partition keys hash (MD5) to an integer in
// [0, 2^128), and a stream's open shards split that range between them.
var hashSpace = new(big.Int).Lsh(big.NewInt(1), 128)

// maxHashKey is the largest hash key, 2^128 - 1.
var maxHashKey = new(big.Int).Sub(hashSpace, big.NewInt(1))

// evenRanges splits the hash key space into n adjacent ranges, as
// CreateStream does: each but the last spans 2^128/n keys (integer
// division), and the last ends at 2^128 - 1.
func evenRanges(n int) [][2]*big.Int {
	step := new(big.Int).Div(hashSpace, big.NewInt(int64(n)))
	out := make([][2]*big.Int, n)
	for i := range n {
		start := new(big.Int).Mul(step, big.NewInt(int64(i)))
		end := new(big.Int).Add(start, step)
		end.Sub(end, big.NewInt(1))
		if i == n-1 {
			end = new(big.Int).Set(maxHashKey)
		}
		out[i] = [2]*big.Int{start, end}
	}
	return out
}

// partitionHash is the hash key of a partition key: its MD5 digest read
// as a big-endian 128-bit unsigned integer.
func partitionHash(key string) *big.Int {
	sum := md5.Sum([]byte(key))
	return new(big.Int).SetBytes(sum[:])
}

// parseHashKey reads an ExplicitHashKey: a decimal integer in
// [0, 2^128). ok is false for anything else.
func parseHashKey(s string) (*big.Int, bool) {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok || v.Sign() < 0 || v.Cmp(maxHashKey) > 0 {
		return nil, false
	}
	return v, true
}
