package kms

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParseBlob checks that parseBlob reads only what the blob holds:
// the key id and nonce it returns are the blob's bytes at their places,
// the body is the rest, and a blob it accepts, opened under the wrong
// material, never decrypts.
func FuzzParseBlob(f *testing.F) {
	material := bytes.Repeat([]byte{7}, symmetricKeySize)
	good, err := sealBlob(material, "0a1b2c3d-0000-4000-8000-123456789abc", 2, make([]byte, nonceLength), []byte("plain"), map[string]string{"k": "v"})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range [][]byte{good, good[:minBlobLength], good[:minBlobLength-1], {}, {1}, bytes.Repeat([]byte{1}, 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, body, err := parseBlob(b)
		if err != nil {
			return
		}
		if len(b) < minBlobLength || b[0] != blobVersion || h.KeyID != string(b[1:1+keyIDLength]) ||
			!bytes.Equal(h.Nonce, b[1+keyIDLength+4:blobHeaderLen]) || !bytes.Equal(body, b[blobHeaderLen:]) {
			t.Fatalf("parseBlob(%x) = %+v, %x", b, h, body)
		}
		if _, err := openBlob(bytes.Repeat([]byte{9}, symmetricKeySize), b, h, nil); err == nil {
			t.Fatalf("%x opened under the wrong material", b)
		}
	})
}

// TestBlobRoundTrip seals and opens a blob, and checks that another
// encryption context, generation or key id fails authentication.
func TestBlobRoundTrip(t *testing.T) {
	material := bytes.Repeat([]byte{3}, symmetricKeySize)
	id := "0a1b2c3d-0000-4000-8000-123456789abc"
	ctx := map[string]string{"a": "b", "c": "d"}
	blob, err := sealBlob(material, id, 5, bytes.Repeat([]byte{1}, nonceLength), []byte("hello"), ctx)
	if err != nil {
		t.Fatal(err)
	}
	h, _, err := parseBlob(blob)
	if err != nil || h.KeyID != id || h.Generation != 5 {
		t.Fatalf("parseBlob = %+v, %v", h, err)
	}
	if plain, err := openBlob(material, blob, h, map[string]string{"c": "d", "a": "b"}); err != nil || string(plain) != "hello" {
		t.Fatalf("openBlob = %q, %v", plain, err)
	}
	for _, other := range []map[string]string{nil, {"a": "b"}, {"a": "bc", "": "d"}, {"ab": "", "c": "d"}} {
		if _, err := openBlob(material, blob, h, other); err == nil {
			t.Errorf("context %v opened the blob", other)
		}
	}
	tampered := bytes.Clone(blob)
	tampered[1+keyIDLength+3] ^= 1 // the generation
	th, _, _ := parseBlob(tampered)
	if _, err := openBlob(material, tampered, th, ctx); err == nil {
		t.Error("a changed generation opened the blob")
	}
}

// FuzzKeyRefs checks the readers of KeyId values: what keyIDFromARN and
// aliasFromARN return ends the ARN they read, and a key id validKeyID
// accepts has the shape of a UUID.
func FuzzKeyRefs(f *testing.F) {
	for _, s := range []string{
		"arn:aws:kms:us-east-1:000000000000:key/0a1b2c3d-0000-4000-8000-123456789abc",
		"arn:aws:kms:us-east-1:000000000000:alias/app/db",
		"arn:aws:kms:::key/", "alias/x", "0a1b2c3d-0000-4000-8000-123456789abc", "arn::::::",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		if id := keyIDFromARN(ref); id != "" && !strings.HasSuffix(ref, ":key/"+id) {
			t.Fatalf("keyIDFromARN(%q) = %q", ref, id)
		}
		if name := aliasFromARN(ref); name != "" && (!strings.HasSuffix(ref, ":"+name) || !strings.HasPrefix(name, "alias/")) {
			t.Fatalf("aliasFromARN(%q) = %q", ref, name)
		}
		if validKeyID(ref) && (len(ref) != keyIDLength || strings.Count(ref, "-") != 4) {
			t.Fatalf("validKeyID(%q)", ref)
		}
	})
}
