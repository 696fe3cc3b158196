package firehose

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
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

// FuzzProcessorResponse: whatever a processor answers, transform does
// not crash, and a record is either delivered, dropped or written as
// failed, once.
func FuzzProcessorResponse(f *testing.F) {
	f.Add([]byte(`{"records":[{"recordId":"0","result":"Ok","data":"QQ=="},{"recordId":"1","result":"Dropped"}]}`))
	f.Add([]byte(`{"records":[{"recordId":"1","result":"ProcessingFailed","data":"Yg=="}]}`))
	f.Add([]byte(`{"records":[{"recordId":"0","result":"Ok","data":"not base64"}]}`))
	f.Add([]byte(`{"records":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, answer []byte) {
		fns := &answers{out: []func([]byte) ([]byte, string, error){func([]byte) ([]byte, string, error) { return answer, "", nil }}}
		s := New(Deps{Functions: fns, Clock: clock.NewFake(time.UnixMilli(0)), IDs: fixedIDs{}})
		p := &processor{function: "f", retries: 0, size: mib}
		_, failed := s.transform(context.Background(), &deliveryStream{Name: "s"}, p, []taken{{1, []byte("a")}, {2, []byte("b")}})
		if n := strings.Count(string(failed), "\n"); n > 2 {
			t.Fatalf("%d failed records of 2: %q", n, failed)
		}
	})
}
