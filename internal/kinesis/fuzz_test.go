package kinesis

import "testing"

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

// FuzzParseSequenceNumber: what parses formats back to itself.
func FuzzParseSequenceNumber(f *testing.F) {
	f.Add(sequenceNumber(0, 0))
	f.Add(sequenceNumber(3, 12345))
	f.Add("49")
	f.Add("4900000000000000000000000000000000x1")
	f.Fuzz(func(t *testing.T, s string) {
		i, c, ok := parseSequenceNumber(s)
		if ok && sequenceNumber(i, c) != s {
			t.Fatalf("%q parsed to %d/%d", s, i, c)
		}
	})
}

// FuzzDecodeListToken never panics.
func FuzzDecodeListToken(f *testing.F) {
	f.Add(encodeListToken(listToken{Stream: "s", After: "shardId-000000000001"}))
	f.Add(encodeListToken(listToken{Stream: "s", After: "shardId-000000000001", Filter: &shardFilter{Type: "AT_TIMESTAMP", At: 5}}))
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) { _, _ = decodeListToken(s) })
}
