package kinesis

import (
	"strings"
	"testing"
)

// FuzzDecodeIterator: any string either decodes to an iterator that
// encodes back to one decoding the same, or fails with
// InvalidArgumentException; never a panic.
func FuzzDecodeIterator(f *testing.F) {
	f.Add(encodeIterator(iterator{Stream: "s", Created: 1, Shard: 2, Next: 3, Issued: 4}))
	f.Add("")
	f.Add("e30")
	f.Add("!!!")
	f.Add(encodeIterator(iterator{Stream: "x", Shard: -1}))
	f.Fuzz(func(t *testing.T, s string) {
		it, err := decodeIterator(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		again, err := decodeIterator(encodeIterator(it))
		if err != nil || again != it {
			t.Fatalf("round trip of %+v: %+v, %v", it, again, err)
		}
	})
}

// FuzzParseSequenceNumber: what parses formats back to itself, in its
// own form (the current one or the legacy 36-digit one).
func FuzzParseSequenceNumber(f *testing.F) {
	f.Add(sequenceNumber(0, 0))
	f.Add(sequenceNumber(3, 12345))
	f.Add(formatSequenceNumber(3, 12345, legacySeqCountLen))
	f.Add("49")
	f.Add("4900000000000000000000000000000000x1")
	f.Fuzz(func(t *testing.T, s string) {
		i, c, ok := parseSequenceNumber(s)
		if ok && sequenceNumber(i, c) != s && formatSequenceNumber(i, c, legacySeqCountLen) != s {
			t.Fatalf("%q parsed to %d/%d", s, i, c)
		}
	})
}

// TestSequenceNumberForms: sequence numbers have AWS's 56 digits, and the
// 36-digit ones virga made before still read as the same record.
func TestSequenceNumberForms(t *testing.T) {
	t.Parallel()
	if got := sequenceNumber(2, 7); len(got) != 56 || got != "49000002"+strings.Repeat("0", 47)+"7" {
		t.Errorf("sequenceNumber(2, 7) = %q (%d digits)", got, len(got))
	}
	for _, s := range []string{sequenceNumber(2, 7), "49000002" + strings.Repeat("0", 27) + "7"} {
		if i, c, ok := parseSequenceNumber(s); !ok || i != 2 || c != 7 {
			t.Errorf("parseSequenceNumber(%q) = %d, %d, %v", s, i, c, ok)
		}
	}
	for _, s := range []string{"49000002" + strings.Repeat("0", 37) + "7", "48000002" + strings.Repeat("0", 47) + "7", ""} {
		if _, _, ok := parseSequenceNumber(s); ok {
			t.Errorf("parseSequenceNumber(%q) read it", s)
		}
	}
}

// FuzzDecodeListToken never panics.
func FuzzDecodeListToken(f *testing.F) {
	f.Add(encodeListToken(listToken{Stream: "s", After: "shardId-000000000001"}))
	f.Add(encodeListToken(listToken{Stream: "s", After: "shardId-000000000001", Filter: &shardFilter{Type: "AT_TIMESTAMP", At: 5}}))
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) { _, _ = decodeListToken(s) })
}
