package awsjson

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/virga/virga/internal/awsproto/prototest"
	"math"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
)

type mode string

func (mode) Values() []string { return []string{"PROVISIONED", "PAY_PER_REQUEST"} }

type attr struct {
	S  *string
	N  *string
	B  []byte
	L  []*attr
	M  map[string]*attr
	BS [][]byte
}

type key struct {
	Name *string `aws:"required,min=3,max=255"`
	Type *string
}

type createInput struct {
	TableName *string `aws:"required,min=3,max=255" pattern:"[a-zA-Z0-9_.-]+"`
	Mode      mode
	Keys      []key `aws:"min=1"`
	Item      map[string]*attr
	Tags      map[string]string
	Matrix    [][]int32
	When      *time.Time
	WhenISO   *time.Time `aws:"ts=iso8601"`
	Secret    []byte
	Ratio     *float64
	Limit     *int32 `aws:"min=1,max=100"`
	Enabled   *bool
	Raw       json.RawMessage
	Big       *int64
	Small     *uint8
}

type createOutput struct {
	TableArn  *string
	Created   *time.Time
	CreatedMS *time.Time
	ISO       *time.Time `aws:"ts=iso8601"`
	Keys      []key
	Tags      map[string]string
	Item      map[string]*attr
	Size      int64
	Ratio     float64
	Inf       *float64
	Secret    []byte
	Mode      mode
	Raw       json.RawMessage
	Empty     []string
	Absent    []string
}

type cancellation struct {
	CancellationReasons []struct {
		Code    *string
		Message *string
	}
}

var (
	t0 = time.Date(2019, 12, 16, 23, 48, 18, 0, time.UTC)
	t1 = time.Date(2019, 12, 16, 23, 48, 18, 500_000_000, time.UTC)
)

func testService(got *any) *awsproto.Service {
	return prototest.NewService(New("1.0", "DynamoDB_20120810"),
		prototest.Capture[createInput]("CreateTable", "", got),
		prototest.Capture[struct{}]("ListTables", "", got),
	)
}

func target(op string) map[string]string {
	return map[string]string{"X-Amz-Target": "DynamoDB_20120810." + op, "Content-Type": "application/x-amz-json-1.0"}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		req        request
		want       any
		wantCode   string
		wantStatus int
		wantMsg    string
	}{
		{
			name: "everything",
			req: request{Method: "POST", Target: "/", Header: target("CreateTable"), Body: `{
				"TableName":"users","Mode":"PAY_PER_REQUEST",
				"Keys":[{"Name":"pkey","Type":"HASH"},{"Name":"skey"}],
				"Item":{"a":{"S":"x"},"b":{"L":[{"N":"1"},{"M":{"c":{"B":"aGk="}}}]},"c":{"BS":["AA==","AQ=="]}},
				"Tags":{"k":"v","e":""},
				"Matrix":[[1,2],[],[3]],
				"When":1576540098.5,"WhenISO":"2019-12-16T23:48:18Z","Secret":"c2VjcmV0","Ratio":"-Infinity",
				"Limit":10.9,"Enabled":false,"Raw":{"any":["json",1,null]},"Big":9007199254740993,"Small":255,
				"Unknown":{"x":[1,{"y":null}]}}`},
			want: &createInput{
				TableName: ptr("users"), Mode: "PAY_PER_REQUEST",
				Keys: []key{{Name: ptr("pkey"), Type: ptr("HASH")}, {Name: ptr("skey")}},
				Item: map[string]*attr{"a": {S: ptr("x")}, "b": {L: []*attr{{N: ptr("1")}, {M: map[string]*attr{"c": {B: []byte("hi")}}}}},
					"c": {BS: [][]byte{{0}, {1}}}},
				Tags: map[string]string{"k": "v", "e": ""}, Matrix: [][]int32{{1, 2}, {}, {3}},
				When: &t1, WhenISO: &t0, Secret: []byte("secret"), Ratio: ptr(math.Inf(-1)), Limit: ptr[int32](10),
				Enabled: ptr(false), Raw: json.RawMessage(`{"any":["json",1,null]}`), Big: ptr[int64](9007199254740993), Small: ptr[uint8](255),
			},
		},
		{name: "empty body is an empty object", req: request{Method: "POST", Target: "/", Header: target("ListTables")}, want: &struct{}{}},
		{name: "null members are absent", req: request{Method: "POST", Target: "/", Header: target("CreateTable"),
			Body: `{"TableName":"abc","Keys":null,"Item":{"a":null},"Matrix":[null,[1]]}`},
			want: &createInput{TableName: ptr("abc"), Item: map[string]*attr{}, Matrix: [][]int32{nil, {1}}}},

		{name: "not JSON", req: request{Method: "POST", Target: "/", Header: target("CreateTable"), Body: `{"TableName":`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "not an object", req: request{Method: "POST", Target: "/", Header: target("CreateTable"), Body: `"x"`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "two documents", req: request{Method: "POST", Target: "/", Header: target("CreateTable"), Body: `{}{}`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "number for a string", req: request{Method: "POST", Target: "/", Header: target("CreateTable"), Body: `{"TableName":5}`},
			wantCode: "SerializationException", wantStatus: 400, wantMsg: "NUMBER_VALUE cannot be converted to String"},
		{name: "string for an integer", req: request{Method: "POST", Target: "/", Header: target("CreateTable"), Body: `{"Limit":"5"}`},
			wantCode: "SerializationException", wantStatus: 400, wantMsg: "STRING_VALUE cannot be converted to Integer"},
		{name: "object for a list", req: request{Method: "POST", Target: "/", Header: target("CreateTable"), Body: `{"Keys":{}}`},
			wantCode: "SerializationException", wantStatus: 400, wantMsg: "Start of structure or map found where not expected."},
		{name: "list for a map", req: request{Method: "POST", Target: "/", Header: target("CreateTable"), Body: `{"Tags":[]}`},
			wantCode: "SerializationException", wantStatus: 400, wantMsg: "Start of list found where not expected."},
		{name: "deep type error", req: request{Method: "POST", Target: "/", Header: target("CreateTable"), Body: `{"Item":{"a":{"L":[{"S":true}]}}}`},
			wantCode: "SerializationException", wantStatus: 400, wantMsg: "TRUE_VALUE cannot be converted to String"},
		{name: "integer overflow", req: request{Method: "POST", Target: "/", Header: target("CreateTable"), Body: `{"Small":256}`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "int64 overflow", req: request{Method: "POST", Target: "/", Header: target("CreateTable"), Body: `{"Big":9223372036854775808}`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "bad base64", req: request{Method: "POST", Target: "/", Header: target("CreateTable"), Body: `{"Secret":"abc"}`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "bad timestamp", req: request{Method: "POST", Target: "/", Header: target("CreateTable"), Body: `{"WhenISO":"today"}`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "string for a float", req: request{Method: "POST", Target: "/", Header: target("CreateTable"), Body: `{"Ratio":"1.5"}`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "nested too deeply", req: request{Method: "POST", Target: "/", Header: target("CreateTable"),
			Body: `{"Item":{"a":` + strings.Repeat(`{"L":[`, 70) + strings.Repeat(`]}`, 70) + `}}`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "missing required", req: request{Method: "POST", Target: "/", Header: target("CreateTable"), Body: `{}`},
			wantCode: "ValidationException", wantStatus: 400,
			wantMsg: "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"},
		{name: "enum, pattern, range and length", req: request{Method: "POST", Target: "/", Header: target("CreateTable"),
			Body: `{"TableName":"a b","Mode":"FREE","Limit":0,"Keys":[{"Name":"x"}]}`},
			wantCode: "ValidationException", wantStatus: 400,
			wantMsg: "4 validation errors detected: " +
				"Value 'a b' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
				"Value 'FREE' at 'mode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]; " +
				"Value 'x' at 'keys.1.member.name' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
				"Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{name: "unknown operation", req: request{Method: "POST", Target: "/", Header: target("DropEverything")},
			wantCode: "UnknownOperationException", wantStatus: 400},
		{name: "other service's target", req: request{Method: "POST", Target: "/", Header: map[string]string{"X-Amz-Target": "Kinesis_20131202.ListTables"}},
			wantCode: "UnknownOperationException", wantStatus: 400},
		{name: "no target", req: request{Method: "POST", Target: "/"},
			wantCode: "UnknownOperationException", wantStatus: 400},
		{name: "GET", req: request{Method: "GET", Target: "/", Header: target("ListTables")},
			wantCode: "UnknownOperationException", wantStatus: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got any
			w := prototest.Serve(testService(&got), tt.req)
			if tt.wantCode != "" {
				var e struct {
					Type    string `json:"__type"`
					Message string `json:"message"`
				}
				if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
					t.Fatalf("error body %q: %v", w.Body, err)
				}
				if e.Type != tt.wantCode || w.Header().Get("X-Amzn-ErrorType") != tt.wantCode || w.Code != tt.wantStatus {
					t.Fatalf("got %d %s, want %d %q", w.Code, w.Body, tt.wantStatus, tt.wantCode)
				}
				if tt.wantMsg != "" && e.Message != tt.wantMsg {
					t.Errorf("message %q\nwant    %q", e.Message, tt.wantMsg)
				}
				return
			}
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if prototest.Show(got) != prototest.Show(tt.want) {
				t.Errorf("decoded\n%s\nwant\n%s", prototest.Show(got), prototest.Show(tt.want))
			}
		})
	}
}

func TestEncode(t *testing.T) {
	t.Parallel()
	full := &createOutput{
		TableArn: ptr("arn:aws:dynamodb:us-east-1:000000000000:table/users"), Created: &t0, CreatedMS: &t1, ISO: &t1,
		Keys: []key{{Name: ptr("pk"), Type: ptr("HASH")}}, Tags: map[string]string{"k": "v \"quoted\" \u2028"},
		Item: map[string]*attr{"a": {L: []*attr{{S: ptr("x")}, {B: []byte{0xff}}}}},
		Size: 1 << 40, Ratio: 1e-7, Inf: ptr(math.Inf(1)), Secret: []byte("s"), Mode: "PROVISIONED",
		Raw: json.RawMessage(`{"doc":[1,2]}`), Empty: []string{},
	}
	tests := []struct {
		name string
		out  any
		err  error
	}{
		{name: "full", out: full},
		{name: "empty", out: &struct{}{}},
		{name: "no body", out: &awsproto.NoBody{}},
		{name: "nil output", out: (*createOutput)(nil)},
		{name: "error", err: apierr.New("ResourceNotFoundException", 400, "Requested resource not found")},
		{name: "error with details", err: apierr.New("TransactionCanceledException", 400, "Transaction cancelled").
			WithDetails(&cancellation{CancellationReasons: []struct {
				Code    *string
				Message *string
			}{{Code: ptr("ConditionalCheckFailed"), Message: ptr("The conditional request failed")}, {Code: ptr("None")}}})},
		{name: "error with headers", err: &apierr.Error{Code: "ThrottlingException", Status: 400, Message: "Rate exceeded",
			Headers: map[string]string{"Retry-After": "1"}}},
		{name: "internal error", err: errors.New("boom")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var o awsproto.Operation
			if tt.err != nil {
				o = prototest.Op[struct{}, struct{}]("Op", "", 200, nil, tt.err)
			} else {
				o = awsproto.Operation{Name: "Op", Handler: anyHandler{tt.out}}
			}
			svc := prototest.NewService(New("1.0", "DynamoDB_20120810"), o)
			w := prototest.Serve(svc, request{Method: "POST", Target: "/", Header: target("Op"), Body: "{}"})
			prototest.Golden(t, "encode/"+strings.ReplaceAll(tt.name, " ", "_"), prototest.Dump(w))
		})
	}
}

func TestErrorNamespace(t *testing.T) {
	t.Parallel()
	p := New("1.1", "AWSEvents")
	p.ErrorNamespace = "com.amazonaws.events#"
	svc := prototest.NewService(p, prototest.Op[struct{}, struct{}]("Op", "", 200, nil, apierr.New("ResourceNotFoundException", 400, "gone")))
	w := prototest.Serve(svc, request{Method: "POST", Target: "/", Header: map[string]string{"X-Amz-Target": "AWSEvents.Op"}})
	prototest.Golden(t, "encode/error_namespace_1.1", prototest.Dump(w))
}

// anyHandler answers with a fixed output of any type.
type anyHandler struct{ out any }

func (h anyHandler) NewInput() any                           { return &struct{}{} }
func (h anyHandler) Serve(context.Context, any) (any, error) { return h.out, nil }
func (h anyHandler) OutputType() reflect.Type                { return reflect.TypeOf(h.out).Elem() }

// FuzzDecode proves that no body or target makes decoding panic, and that
// every failure is an *apierr.Error.
func FuzzDecode(f *testing.F) {
	f.Add("DynamoDB_20120810.CreateTable", `{"TableName":"t","Item":{"a":{"L":[{"M":{"b":{"BS":["AA=="]}}}]}}}`)
	f.Add("DynamoDB_20120810.CreateTable", `{"Matrix":[[1,2,"x"]],"When":"2019-12-16T23:48:18Z","Ratio":"NaN"}`)
	f.Add("DynamoDB_20120810.CreateTable", `{"Limit":1e309,"Big":-9223372036854775809,"Small":-1}`)
	f.Add("DynamoDB_20120810.CreateTable", `{"Raw":{"a":[{"b":{}}]},"Secret":"===="}`)
	f.Add("DynamoDB_20120810.ListTables", ``)
	f.Add("DynamoDB_20120810", `[`)
	f.Add(".", "\xff")
	f.Fuzz(func(t *testing.T, tgt, body string) {
		var got any
		svc := testService(&got)
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header = map[string][]string{"X-Amz-Target": {tgt}}
		c := awsproto.NewCall(r, "req", time.Time{})
		c.Body = []byte(body)
		c.Service = svc
		if err := svc.Protocol.Resolve(c); err != nil {
			if apierr.As(err) == nil {
				t.Fatalf("Resolve: %T %v", err, err)
			}
			return
		}
		in := c.Op.Handler.NewInput()
		if err := svc.Protocol.Decode(c, in); err != nil && apierr.As(err) == nil {
			t.Fatalf("Decode: %T %v", err, err)
		}
		svc.Serve(c, httptest.NewRecorder())
	})
}

// TestQualifiedTargetPrefix: a service with a qualified prefix resolves
// targets under either prefix, and nothing else.
func TestQualifiedTargetPrefix(t *testing.T) {
	p := New("1.1", "CloudTrail_20131101")
	p.QualifiedTargetPrefix = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"
	var got any
	svc := prototest.NewService(p, prototest.Capture[struct{}]("ListTrails", "", &got))
	for target, ok := range map[string]bool{
		"CloudTrail_20131101.ListTrails":                                    true,
		"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListTrails": true,
		"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.Nope":       false,
		"amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListTrails":     false,
		"CloudTrail_20131101": false,
		"ListTrails":          false,
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.Header.Set("X-Amz-Target", target)
		c := awsproto.NewCall(r, "id", t0)
		c.Service = svc
		err := p.Resolve(c)
		if (err == nil) != ok {
			t.Errorf("%s: %v", target, err)
		}
	}
	for target, want := range map[string]string{"A.B": "A", "a.b.C.Op": "a.b.C", "NoDot": "NoDot", "": ""} {
		if got := TargetPrefixOf(target); got != want {
			t.Errorf("TargetPrefixOf(%q) = %q, want %q", target, got, want)
		}
	}
}
