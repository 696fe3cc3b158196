package rpcv2cbor

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/prototest"
)

type dim struct {
	Name  *string `aws:"required"`
	Value *string
}

// metric covers the kinds rpcv2Cbor carries.
type metric struct {
	Namespace *string `aws:"required"`
	Value     *float64
	Values    []float64
	Count     *int32
	Big       *int64
	On        *bool
	When      *time.Time
	Data      []byte
	Dims      []dim
	Tags      map[string]string
	Child     *metric
}

func ptr[T any](v T) *T { return &v }

func cborRequest(op string, body []byte) prototest.Request {
	h := map[string]string{HeaderProtocol: ProtocolID, "Accept": ContentType}
	if body != nil {
		h["Content-Type"] = ContentType
	}
	return prototest.Request{Method: "POST", Target: "/service/Granite/operation/" + op, Header: h, Body: string(body)}
}

func testService(got *any, out *metric, err error) *awsproto.Service {
	p := New("Granite", "com.example")
	p.QueryCompatible = true
	return prototest.NewService(p,
		prototest.Capture[metric]("Put", "", got),
		prototest.Op[struct{}, metric]("Get", "", 0, out, nil),
		prototest.Op[struct{}, struct{}]("Fail", "", 0, nil, err),
	)
}

func TestDecodeInput(t *testing.T) {
	// {"Namespace":"ns","Value":1.5,"Values":[1,2.5],"Count":7,"Big":-2,
	//  "On":true,"When":1(1363896240.5),"Data":h'0102',
	//  "Dims":[{"Name":"n","Value":"v"}],"Tags":{_ "k":"v"}}
	body := AppendMapHead(nil, 10)
	body = append(AppendText(body, "Namespace"), AppendText(nil, "ns")...)
	body = append(AppendText(body, "Value"), 0xf9, 0x3e, 0x00) // half 1.5
	body = append(AppendText(body, "Values"), 0x82, 0x01, 0xfa, 0x40, 0x20, 0x00, 0x00)
	body = append(AppendText(body, "Count"), 0x07)
	body = append(AppendText(body, "Big"), 0x21)
	body = append(AppendText(body, "On"), 0xf5)
	body = append(AppendText(body, "When"), AppendTime(nil, time.UnixMilli(1363896240500))...)
	body = append(AppendText(body, "Data"), 0x5f, 0x41, 0x01, 0x41, 0x02, 0xff)
	body = append(AppendText(body, "Dims"), 0x81, 0xa2)
	body = append(AppendText(body, "Name"), AppendText(nil, "n")...)
	body = append(AppendText(body, "Value"), AppendText(nil, "v")...)
	body = append(AppendText(body, "Tags"), 0xbf)
	body = append(AppendText(body, "k"), AppendText(nil, "v")...)
	body = append(body, 0xff)

	var got any
	w := prototest.Serve(testService(&got, nil, nil), cborRequest("Put", body))
	if w.Code != 200 {
		t.Fatalf("status %d, body %x", w.Code, w.Body.Bytes())
	}
	want := &metric{
		Namespace: ptr("ns"), Value: ptr(1.5), Values: []float64{1, 2.5}, Count: ptr[int32](7), Big: ptr[int64](-2),
		On: ptr(true), When: ptr(time.UnixMilli(1363896240500).UTC()), Data: []byte{1, 2},
		Dims: []dim{{Name: ptr("n"), Value: ptr("v")}}, Tags: map[string]string{"k": "v"},
	}
	if prototest.Show(got) != prototest.Show(want) {
		t.Errorf("decoded\n %s\nwant\n %s", prototest.Show(got), prototest.Show(want))
	}
	if w.Header().Get(HeaderProtocol) != ProtocolID || w.Header().Get("Content-Type") != ContentType {
		t.Errorf("response headers %v", w.Header())
	}
}

func TestEncodeOutput(t *testing.T) {
	out := &metric{Namespace: ptr("a"), Count: ptr[int32](-1), When: ptr(time.Unix(1363896240, 0)), Data: []byte{1}}
	w := prototest.Serve(testService(new(any), out, nil), cborRequest("Get", nil))
	// {"Namespace":"a","Count":-1,"When":1(1363896240),"Data":h'01'}
	want := "a4" + "694e616d657370616365" + "6161" + "65436f756e74" + "20" + "645768656e" + "c11a514b67b0" + "6444617461" + "4101"
	if got := hex.EncodeToString(w.Body.Bytes()); got != want {
		t.Errorf("body %s, want %s", got, want)
	}
}

// The path's last four segments route a request, and the service may be
// named by its absolute shape id.
func TestResolvePaths(t *testing.T) {
	for _, path := range []string{"/service/Granite/operation/Get", "/v1/service/Granite/operation/Get", "/service/com.example.Granite/operation/Get"} {
		w := prototest.Serve(testService(new(any), &metric{}, nil), prototest.Request{Method: "POST", Target: path, Header: map[string]string{HeaderProtocol: ProtocolID}})
		if w.Code != 200 {
			t.Errorf("%s: status %d", path, w.Code)
		}
	}
}

func TestErrors(t *testing.T) {
	e := &apierr.Error{Code: "InvalidParameterValueException", QueryCode: "InvalidParameterValue", Status: 400, Message: "bad"}
	svc := testService(new(any), nil, e)
	w := prototest.Serve(svc, cborRequest("Fail", nil))
	if w.Code != 400 || w.Header().Get("X-Amzn-Query-Error") != "InvalidParameterValue;Sender" {
		t.Errorf("status %d, headers %v", w.Code, w.Header())
	}
	doc, err := Decode(w.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"__type": "com.example#InvalidParameterValueException", "message": "bad"}
	if !reflect.DeepEqual(doc, want) {
		t.Errorf("error body %v, want %v", doc, want)
	}

	for name, req := range map[string]prototest.Request{
		"unknown operation":  cborRequest("Nope", nil),
		"other service":      {Method: "POST", Target: "/service/Other/operation/Get", Header: map[string]string{HeaderProtocol: ProtocolID}},
		"no protocol":        {Method: "POST", Target: "/service/Granite/operation/Get"},
		"GET":                {Method: "GET", Target: "/service/Granite/operation/Get", Header: map[string]string{HeaderProtocol: ProtocolID}},
		"X-Amz-Target":       {Method: "POST", Target: "/service/Granite/operation/Get", Header: map[string]string{HeaderProtocol: ProtocolID, "X-Amz-Target": "Granite.Get"}},
		"absolute operation": {Method: "POST", Target: "/service/Granite/operation/com.example.Get", Header: map[string]string{HeaderProtocol: ProtocolID}},
	} {
		w := prototest.Serve(svc, req)
		doc, _ := Decode(w.Body.Bytes())
		if m, _ := doc.(map[string]any); w.Code != 400 || m["__type"] != "com.example#UnknownOperationException" {
			t.Errorf("%s: status %d, body %v", name, w.Code, doc)
		}
	}

	for name, body := range map[string]string{
		"malformed":     "\x62a",
		"not a map":     "\x01",
		"wrong type":    "\xa1\x69Namespace\x01",
		"missing field": "\xa0",
	} {
		w := prototest.Serve(svc, cborRequest("Put", []byte(body)))
		doc, _ := Decode(w.Body.Bytes())
		m, _ := doc.(map[string]any)
		want := "com.example#SerializationException"
		if name == "missing field" {
			want = "com.example#ValidationException"
		}
		if w.Code != 400 || m["__type"] != want {
			t.Errorf("%s: status %d, body %v", name, w.Code, doc)
		}
	}
}

// FuzzDecode proves Decode never panics, and that what the protocol
// decodes into a shape struct Marshal writes back as CBOR that decodes
// to the same value.
func FuzzDecode(f *testing.F) {
	seeds := []string{
		"", "00", "f6", "a0", "bf", "ff", "9f9f9fff", "1bffffffffffffffff", "3bffffffffffffffff",
		"a1694e616d65737061636562e6b0", "a169436f756e741b0000000100000000", "a16556616c7565f97e00",
		"a16556616c7565fa7f800000", "a1645768656ec1fb41d452d9ec200000", "a1645768656ec11a514b67b0",
		"a1645768656ec16161", "a16444617461" + "5f42010243030405ff", "a1644469697473" + "9fa1644e616d656161ff",
		"a16454616773bf616b6176ff", "a1654368696c64a1654368696c64a0", "7f657374726561646d696e67ff",
		"a1694e616d657370616365" + "c16161", "a1664e756d626572fb7ff8000000000000",
	}
	for _, s := range seeds {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Decode(data)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("Decode returned %T %v", err, err)
			}
			return
		}
		if _, err := json.Marshal(doc); err != nil {
			t.Fatalf("Decode(%x) gave %#v, which is not a JSON value: %v", data, doc, err)
		}
		var got any
		svc := testService(&got, nil, nil)
		r := httptest.NewRequest("POST", "/service/Granite/operation/Put", bytes.NewReader(data))
		r.Header.Set(HeaderProtocol, ProtocolID)
		r.Header.Set("Content-Type", ContentType)
		c := awsproto.NewCall(r, "req", time.Time{})
		c.Body = data
		c.Service = svc
		if err := svc.Protocol.Resolve(c); err != nil {
			t.Fatal(err)
		}
		var m metric
		if err := svc.Protocol.Decode(c, &m); err != nil {
			if apierr.As(err) == nil {
				t.Fatalf("Decode: %T %v", err, err)
			}
			return
		}
		out := Marshal(nil, &m)
		var again metric
		c.Body = out
		if err := svc.Protocol.Decode(c, &again); err != nil {
			t.Fatalf("decoding Marshal's %x (from %x): %v", out, data, err)
		}
		if !sameMetric(m, again) {
			t.Fatalf("round trip of %x changed the value:\n first  %s\n second %s", data, prototest.Show(m), prototest.Show(again))
		}
	})
}

func sameMetric(a, b metric) bool {
	// Timestamps travel with millisecond precision.
	for _, m := range []*metric{&a, &b} {
		for p := m; p != nil; p = p.Child {
			if p.When != nil {
				p.When = ptr(p.When.Truncate(time.Millisecond))
			}
			if p.Value != nil && math.IsNaN(*p.Value) {
				p.Value = ptr(-0.5)
			}
		}
	}
	return strings.EqualFold(prototest.Show(a), prototest.Show(b))
}

// SDKs gzip the bodies of operations with Smithy's requestCompression
// trait (CloudWatch's PutMetricData).
func TestGzipBody(t *testing.T) {
	body := AppendMapHead(nil, 1)
	body = append(AppendText(body, "Namespace"), AppendText(nil, "zipped")...)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(body)
	zw.Close()
	req := cborRequest("Put", z.Bytes())
	req.Header["Content-Encoding"] = "gzip"
	var got any
	if w := prototest.Serve(testService(&got, nil, nil), req); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	if m, _ := got.(*metric); m == nil || *m.Namespace != "zipped" {
		t.Errorf("decoded %s", prototest.Show(got))
	}
	req.Body = "not gzip"
	if w := prototest.Serve(testService(&got, nil, nil), req); w.Code != 400 {
		t.Errorf("bad gzip: status %d", w.Code)
	}
}

// A compressed body is held to the service's body limit once inflated,
// as an uncompressed one is: CloudWatch's 1 MB does not become 16 MB (and
// the decoder's far larger generic values) by gzipping it.
func TestGzipBodyOverServiceLimit(t *testing.T) {
	body := AppendMapHead(nil, 1)
	body = append(AppendText(body, "Namespace"), AppendText(nil, strings.Repeat("z", 4000))...)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(body)
	zw.Close()
	req := cborRequest("Put", z.Bytes())
	req.Header["Content-Encoding"] = "gzip"
	var got any
	svc := testService(&got, nil, nil)
	svc.MaxBodyBytes = 1024
	if w := prototest.Serve(svc, req); w.Code != 413 {
		t.Fatalf("status %d, want 413", w.Code)
	}
	svc.MaxBodyBytes = 8192
	if w := prototest.Serve(svc, req); w.Code != 200 {
		t.Fatalf("within the limit: status %d", w.Code)
	}
}
