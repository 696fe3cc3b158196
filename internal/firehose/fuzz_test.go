package firehose

import (
	"testing"
	"time"
)

// FuzzNameOf: a stream ARN that parses is the ARN of the name it gives,
// in this account and region; nothing panics.
func FuzzNameOf(f *testing.F) {
	s := &Service{account: "000000000000", region: "us-east-1"}
	f.Add("arn:aws:firehose:us-east-1:000000000000:deliverystream/s")
	f.Add("arn:aws:firehose:us-east-1:000000000000:deliverystream/")
	f.Add("arn:aws:firehose:eu-west-1:000000000000:deliverystream/s")
	f.Add("arn:aws:kinesis:us-east-1:000000000000:stream/s")
	f.Add("")
	f.Fuzz(func(t *testing.T, arn string) {
		name, ok := s.nameOf(arn)
		if ok && (name == "" || s.arn(name) != arn) {
			t.Fatalf("%q gave %q", arn, name)
		}
	})
}

// FuzzObjectKey: a key always starts with the prefix and ends with the
// random part, whatever the time.
func FuzzObjectKey(f *testing.F) {
	f.Add("logs/", int64(0), 1)
	f.Add("", int64(-62135596800), 7)
	f.Add("a/b", int64(253402300799), 100)
	f.Fuzz(func(t *testing.T, prefix string, unix int64, version int) {
		k := objectKey("s", version, prefix, time.Unix(unix, 0), "U")
		if len(k) < len(prefix) || k[:len(prefix)] != prefix || k[len(k)-2:] != "-U" {
			t.Fatalf("key %q", k)
		}
	})
}
