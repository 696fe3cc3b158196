package iam

import (
	"encoding/base32"
	"testing"
	"time"
)

// TestTOTP checks codes against RFC 6238's SHA-1 test vectors (their
// last six digits).
func TestTOTP(t *testing.T) {
	t.Parallel()
	secret := []byte("12345678901234567890")
	for _, tc := range []struct {
		unix int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"}} {
		if got := totp(secret, uint64(tc.unix)/30); got != tc.want {
			t.Errorf("T=%d: %s, want %s", tc.unix, got, tc.want)
		}
	}
	seed := base32.StdEncoding.EncodeToString(secret)
	now := time.Unix(1111111111, 0)
	step := uint64(now.Unix()) / 30
	c1, c2 := totp(secret, step-1), totp(secret, step)
	if !consecutiveCodes(seed, c1, c2, now) {
		t.Error("consecutive codes refused")
	}
	if consecutiveCodes(seed, c2, c1, now) || consecutiveCodes(seed, c1, c1, now) || consecutiveCodes(seed, "000000", "000000", now) {
		t.Error("codes out of order accepted")
	}
	if consecutiveCodes(seed, c1, c2, now.Add(time.Hour)) {
		t.Error("codes an hour old accepted")
	}
}
