package cloudtrail

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/virga/virga/internal/store/keys"
)

// keyValidity is how long a signing key is current: AWS's keys span 30
// days (ValidityStartTime to ValidityEndTime in ListPublicKeys' answers).
const keyValidity = 30 * 24 * time.Hour

// signingKeyBits is the size of a signing key: CloudTrail signs digest
// files with RSA, SHA256withRSA, and its public keys are 2048-bit.
const signingKeyBits = 2048

// signingKey is one of the region's key pairs, as stored: the private key
// in PKCS#1 DER, valid from Start for keyValidity.
type signingKey struct {
	Start   time.Time
	Private []byte
}

func signingKeyPrefix(account string) []byte { return rootKey("k", account) }

func signingKeyKey(account string, start time.Time) []byte {
	return keys.AppendInt(signingKeyPrefix(account), start.UnixNano())
}

// end is when the key stops being current.
func (k *signingKey) end() time.Time { return k.Start.Add(keyValidity) }

// publicKey is the key as ListPublicKeys answers it: the public key in
// PKCS#1 DER, and its fingerprint (hexadecimal MD5 of that DER, the
// 32-digit form digest files name it by).
func (k *signingKey) publicKey() (PublicKey, error) {
	priv, err := x509.ParsePKCS1PrivateKey(k.Private)
	if err != nil {
		return PublicKey{}, fmt.Errorf("cloudtrail: signing key: %w", err)
	}
	der := x509.MarshalPKCS1PublicKey(&priv.PublicKey)
	sum := md5.Sum(der)
	return PublicKey{Value: der, Fingerprint: ptr(hex.EncodeToString(sum[:])),
		ValidityStartTime: ptr(k.Start), ValidityEndTime: ptr(k.end())}, nil
}

// signingKeys returns the region's keys, oldest first, after making sure
// one is current at now: a key is made when the last has expired (or
// there is none), current from the last one's end or, after a gap, from
// now. The caller holds keyMu.
func (s *Service) signingKeys(now time.Time) ([]*signingKey, error) {
	var out []*signingKey
	p := signingKeyPrefix(s.account)
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return nil, err
	}
	for ok := it.First(); ok; ok = it.Next() {
		var k signingKey
		if err := json.Unmarshal(it.Value(), &k); err != nil {
			it.Close()
			return nil, fmt.Errorf("cloudtrail: signing key: %w", err)
		}
		out = append(out, &k)
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	if n := len(out); n > 0 && now.Before(out[n-1].end()) {
		return out, nil
	}
	start := now.UTC().Truncate(time.Second)
	if n := len(out); n > 0 && !now.After(out[n-1].end().Add(keyValidity)) {
		start = out[n-1].end()
	}
	priv, err := rsa.GenerateKey(rand.Reader, signingKeyBits)
	if err != nil {
		return nil, err
	}
	k := &signingKey{Start: start, Private: x509.MarshalPKCS1PrivateKey(priv)}
	v, err := json.Marshal(k)
	if err != nil {
		return nil, err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(signingKeyKey(s.account, start), v)
	if err := b.Commit(); err != nil {
		return nil, err
	}
	return append(out, k), nil
}

// listPublicKeys answers the public keys current at some time in
// [StartTime, EndTime], both now when not given: the current key alone
// by default.
func (s *Service) listPublicKeys(_ context.Context, in *ListPublicKeysRequest) (*ListPublicKeysResponse, error) {
	now := s.clock.Now()
	start, end := now, now
	if in.StartTime != nil {
		start = *in.StartTime
	}
	if in.EndTime != nil {
		end = *in.EndTime
	}
	if start.After(end) {
		return nil, ErrInvalidTimeRange.WithMessage("Start time must be before end time")
	}
	if in.NextToken != nil {
		return nil, ErrInvalidToken.WithMessage("Invalid NextToken")
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	all, err := s.signingKeys(now)
	if err != nil {
		return nil, err
	}
	out := &ListPublicKeysResponse{PublicKeyList: []PublicKey{}}
	for i := len(all) - 1; i >= 0; i-- {
		k := all[i]
		if k.Start.After(end) || !k.end().After(start) {
			continue
		}
		pk, err := k.publicKey()
		if err != nil {
			return nil, err
		}
		out.PublicKeyList = append(out.PublicKeyList, pk)
	}
	return out, nil
}
