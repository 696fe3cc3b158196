package sqs

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// wantAPIError fails the test unless err is one of SQS's table errors
// with the given code (the awsQuery one, which X-Amzn-Query-Error also
// carries) and a message: what a client would be shown.
func wantAPIError(t *testing.T, what string, err error, code string) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) || e.CodeForQuery() != code || e.Message == "" {
		t.Fatalf("%s: got %T %v, want %s with a message", what, err, err, code)
	}
}

func FuzzParseReceipt(f *testing.F) {
	f.Add(uint64(1), uint64(1), uint64(1), "cc79ec40-a1e5-44d8-8ee4-0d6fa5f8048a", "")
	f.Add(uint64(0), uint64(0), uint64(0), "x", "garbage")
	f.Add(uint64(18446744073709551615), uint64(18446744073709551615), uint64(18446744073709551615), "id:with:colons", "MToxOjE6")
	f.Add(uint64(7), uint64(3), uint64(2), "ünïcode ✓", "MTox")
	f.Add(uint64(2), uint64(9), uint64(0), "", base64.RawURLEncoding.EncodeToString([]byte("1:2:3:")))
	f.Add(uint64(2), uint64(9), uint64(0), "a", base64.RawURLEncoding.EncodeToString([]byte("-1:2:3:x")))
	f.Add(uint64(2), uint64(9), uint64(0), "a", base64.RawURLEncoding.EncodeToString([]byte("1:2:99999999999999999999:x")))
	f.Add(uint64(2), uint64(9), uint64(0), "a", "MToxOjE6YQ==") // padded: not RawURLEncoding
	f.Fuzz(func(t *testing.T, queueID, seq, nonce uint64, id, raw string) {
		// Whatever a client sends parses or is refused; never a panic.
		if r, err := parseReceipt(raw); err == nil {
			if r.id == "" {
				t.Errorf("parseReceipt(%q) accepted an empty message id", raw)
			}
		} else if err != errBadReceipt {
			t.Errorf("parseReceipt(%q) = %v, want errBadReceipt", raw, err)
		}
		// Every handle virga hands out reads back as what it names.
		h := receiptHandle(queueID, seq, nonce, id)
		r, err := parseReceipt(h)
		if id == "" {
			if err == nil {
				t.Errorf("handle with an empty id %q parsed as %+v", h, r)
			}
			return
		}
		if err != nil {
			t.Fatalf("parseReceipt(receiptHandle(%d, %d, %d, %q)) = %v", queueID, seq, nonce, id, err)
		}
		if want := (receipt{queueID: queueID, seq: seq, nonce: nonce, id: id}); r != want {
			t.Errorf("round trip: got %+v, want %+v", r, want)
		}
	})
}

func FuzzParseRedrive(f *testing.F) {
	for _, s := range []string{
		`{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead","maxReceiveCount":"2"}`,
		`{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead","maxReceiveCount":5}`,
		`{"deadLetterTargetArn":"arn","maxReceiveCount":1000}`,
		`{"deadLetterTargetArn":"arn","maxReceiveCount":1001}`,
		`{"deadLetterTargetArn":"arn","maxReceiveCount":0}`,
		`{"deadLetterTargetArn":"arn","maxReceiveCount":2.5}`,
		`{"deadLetterTargetArn":"arn","maxReceiveCount":1e300}`,
		`{"deadLetterTargetArn":"arn","maxReceiveCount":-9223372036854775808}`,
		`{"deadLetterTargetArn":"arn","maxReceiveCount":"0x10"}`,
		`{"deadLetterTargetArn":"arn","maxReceiveCount":null}`,
		`{"deadLetterTargetArn":"arn","maxReceiveCount":[1]}`,
		`{"deadLetterTargetArn":"","maxReceiveCount":1}`,
		`{"deadLetterTargetArn":7,"maxReceiveCount":1}`,
		`{"maxReceiveCount":1}`,
		`null`, `[]`, `"x"`, ``, `{`, `{}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseRedrive(s)
		if err != nil {
			wantAPIError(t, "parseRedrive("+s+")", err, "InvalidParameterValue")
			return
		}
		if p.MaxReceiveCount < 1 || p.MaxReceiveCount > maxReceiveCountLimit || p.DeadLetterTargetArn == "" {
			t.Errorf("parseRedrive(%q) accepted %+v", s, p)
		}
		// What virga stores (the policy re-encoded) reads back the same.
		again, err := parseRedrive(string(mustJSON(p)))
		if err != nil || *again != *p {
			t.Errorf("re-encoded policy of %q: %+v, %v; want %+v", s, again, err, p)
		}
	})
}

// FuzzParseRedriveAllow checks that a RedriveAllowPolicy
// parseRedriveAllow accepts has a known permission, source queues only
// with byQueue (1 to 10 of them), and allows exactly those: all with
// allowAll, none with denyAll.
func FuzzParseRedriveAllow(f *testing.F) {
	for _, s := range []string{
		`{"redrivePermission":"allowAll"}`, `{"redrivePermission":"denyAll"}`,
		`{"redrivePermission":"byQueue","sourceQueueArns":["arn:aws:sqs:us-east-1:000000000000:src"]}`,
		`{"redrivePermission":"byQueue","sourceQueueArns":[]}`, `{"redrivePermission":"byQueue"}`,
		`{"redrivePermission":"denyAll","sourceQueueArns":["a"]}`, `{"redrivePermission":"byQueue","sourceQueueArns":"a"}`,
		`{"redrivePermission":"byQueue","sourceQueueArns":["1","2","3","4","5","6","7","8","9","10","11"]}`,
		`{"redrivePermission":"DENYALL"}`, `{}`, `null`, `[]`, ``, `{`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := parseRedriveAllow(s)
		if !ok {
			return
		}
		const other = "arn:aws:sqs:us-east-1:000000000000:no-source-has-this-name-0123456789"
		switch p.RedrivePermission {
		case "allowAll":
			if p.SourceQueueArns != nil || !p.allows(other) {
				t.Errorf("%q: allowAll %+v", s, p)
			}
		case "denyAll":
			if p.SourceQueueArns != nil || p.allows(other) {
				t.Errorf("%q: denyAll %+v", s, p)
			}
		case "byQueue":
			if len(p.SourceQueueArns) < 1 || len(p.SourceQueueArns) > maxRedriveSources || !p.allows(p.SourceQueueArns[0]) ||
				p.allows(other) != slices.Contains(p.SourceQueueArns, other) {
				t.Errorf("%q: byQueue %+v", s, p)
			}
		default:
			t.Errorf("%q: accepted permission %q", s, p.RedrivePermission)
		}
	})
}

func FuzzMessageAttributes(f *testing.F) {
	f.Add("colour", "String", "blue", []byte(nil), false)
	f.Add("count", "Number", "-12.5e3", []byte(nil), false)
	f.Add("blob", "Binary", "", []byte{0, 1, 0xfe, 0xff}, true)
	f.Add("Custom.kind", "String.custom", "k", []byte(nil), false)
	f.Add("n", "Number", "abc", []byte(nil), false)
	f.Add("n", "Number", "NaN", []byte(nil), false)
	f.Add("n", "Number", "1e99999999999999999999", []byte(nil), false)
	f.Add("AWS.reserved", "String", "x", []byte(nil), false)
	f.Add(".dot", "String", "x", []byte(nil), false)
	f.Add("a..b", "String", "x", []byte(nil), false)
	f.Add("ü", "String", "x", []byte(nil), false)
	f.Add("s", "String.", "x", []byte(nil), false)
	f.Add("s", "Strings", "x", []byte(nil), false)
	f.Add("s", "String", "a\x00b", []byte(nil), false)
	f.Add("s", "String", "\xff", []byte(nil), false)
	f.Add("b", "Binary", "", []byte(nil), true)
	f.Add("b", "Binary", "x", []byte{1}, false)
	f.Add("", "String", "x", []byte(nil), false)
	f.Add(strings.Repeat("a", 257), "String", "x", []byte(nil), false)
	f.Fuzz(func(t *testing.T, name, dataType, value string, binary []byte, useBinary bool) {
		if name == "other" {
			return // the second attribute's name, below
		}
		v := MessageAttributeValue{DataType: &dataType}
		if useBinary {
			v.BinaryValue = binary
		} else {
			v.StringValue = &value
		}
		in := map[string]MessageAttributeValue{name: v, "other": {DataType: ptr("String"), StringValue: ptr("o")}}
		out, size, err := checkMessageAttributes(in)
		if err != nil {
			wantAPIError(t, "checkMessageAttributes", err, "InvalidParameterValue")
			return
		}
		a, ok := out[name]
		if !ok || len(out) != len(in) || a.DataType != dataType {
			t.Fatalf("checkMessageAttributes(%q %q) = %+v", name, dataType, out)
		}
		if name == "" || len(name) > maxAttributeNameBytes || len(dataType) > 256 || baseType(dataType) == "" {
			t.Errorf("accepted name %q type %q", name, dataType)
		}
		valueLen := len(a.StringValue)
		if isBinaryType(dataType) {
			valueLen = len(a.BinaryValue)
			if !bytes.Equal(a.BinaryValue, binary) || len(binary) == 0 {
				t.Errorf("binary value %x kept as %x", binary, a.BinaryValue)
			}
		} else if a.StringValue != value || value == "" || !validContent(value) {
			t.Errorf("string value %q kept as %q", value, a.StringValue)
		}
		if want := len(name) + len(dataType) + valueLen + len("other") + len("String") + len("o"); size != want {
			t.Errorf("size = %d, want %d", size, want)
		}
		// The digest depends on the attributes alone: the same for a
		// copy built in another order, and a 32-digit hex MD5.
		sum := attributesMD5(out)
		again := map[string]attributeValue{"other": out["other"]}
		again[name] = attributeValue{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: bytes.Clone(a.BinaryValue)}
		if sum2 := attributesMD5(again); sum2 != sum {
			t.Errorf("attributesMD5 not deterministic: %s then %s", sum, sum2)
		}
		if b, err := hex.DecodeString(sum); err != nil || len(b) != md5.Size {
			t.Errorf("attributesMD5 = %q", sum)
		}
	})
}

func FuzzQueueURL(f *testing.F) {
	for _, s := range []string{
		"http://127.0.0.1:4566/000000000000/orders",
		"http://sqs.us-east-1.localhost:4566/000000000000/orders.fifo",
		"https://sqs.eu-west-1.amazonaws.com/123456789012/q/",
		"/000000000000/orders", "000000000000/orders", "orders", "", "/", "//", "http://h/a/b/c",
		"http://[::1]:80/a/b", "http://%zz/a/b", "not a url", "http://h/a%2Fb/c", "http://h/%ff/x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		account, name, ok := parseQueueURL(raw)
		if !ok {
			if account != "" || name != "" {
				t.Errorf("parseQueueURL(%q) refused but returned %q %q", raw, account, name)
			}
			return
		}
		if account == "" || name == "" || strings.Contains(account, "/") || strings.Contains(name, "/") {
			t.Errorf("parseQueueURL(%q) = %q %q", raw, account, name)
		}
		// The URL virga hands out for an account and a valid name names
		// them again.
		if validQueueName(name) && strings.Trim(account, "0123456789") == "" {
			a2, n2, ok := parseQueueURL(queueURL(false, "127.0.0.1:4566", account, name))
			if !ok || a2 != account || n2 != name {
				t.Errorf("queueURL(%q, %q) parses as %q %q %v", account, name, a2, n2, ok)
			}
		}
	})
}

// TestSQSAttributesMD5 checks the attribute digest against the byte layout
// AWS documents, written out by hand: for each attribute in name order,
// 4-byte big-endian length + name, 4-byte length + data type, a transport
// byte (1 for String and Number, 2 for Binary), 4-byte length + value.
func TestSQSAttributesMD5(t *testing.T) {
	t.Parallel()
	attrs := map[string]attributeValue{
		"n":  {DataType: "Number", StringValue: "42"},
		"b":  {DataType: "Binary", BinaryValue: []byte{0, 1, 2}},
		"Sé": {DataType: "String.x", StringValue: "é"}, // sorts first: 'S' < 'b' < 'n'
	}
	layout := []byte{
		0, 0, 0, 3, 'S', 0xc3, 0xa9, // "Sé" in UTF-8 is 3 bytes
		0, 0, 0, 8, 'S', 't', 'r', 'i', 'n', 'g', '.', 'x',
		1,
		0, 0, 0, 2, 0xc3, 0xa9,

		0, 0, 0, 1, 'b',
		0, 0, 0, 6, 'B', 'i', 'n', 'a', 'r', 'y',
		2,
		0, 0, 0, 3, 0, 1, 2,

		0, 0, 0, 1, 'n',
		0, 0, 0, 6, 'N', 'u', 'm', 'b', 'e', 'r',
		1,
		0, 0, 0, 2, '4', '2',
	}
	sum := md5.Sum(layout)
	if got, want := attributesMD5(attrs), hex.EncodeToString(sum[:]); got != want {
		t.Errorf("attributesMD5 = %s, want %s", got, want)
	}
	// A single String attribute.
	one := md5.Sum([]byte{0, 0, 0, 1, 'k', 0, 0, 0, 6, 'S', 't', 'r', 'i', 'n', 'g', 1, 0, 0, 0, 1, 'v'})
	if got, want := attributesMD5(map[string]attributeValue{"k": {DataType: "String", StringValue: "v"}}), hex.EncodeToString(one[:]); got != want {
		t.Errorf("one attribute: %s, want %s", got, want)
	}
	if got := attributesMD5(nil); got != "" {
		t.Errorf("no attributes: %q, want no digest", got)
	}
}
