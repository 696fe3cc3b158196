package query

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"github.com/virga/virga/internal/awsproto/prototest"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
)

type mode string

func (mode) Values() []string { return []string{"Standard", "Fifo"} }

type tag struct {
	Key   *string `aws:"required"`
	Value *string
}

type inner struct {
	Name  *string
	Items []string `aws:"member=Item"`
}

type assumeInput struct {
	RoleArn         *string `aws:"required,min=20"`
	DurationSeconds *int32  `aws:"min=900,max=43200"`
	Tags            []tag
	PolicyArns      []string          `aws:"flat,name=PolicyArn"`
	Attributes      map[string]string // Attributes.entry.N.key / .value
	FlatAttrs       map[string]*inner `aws:"flat,name=Attribute,key=Name,value=Value"`
	When            *time.Time
	Epoch           *time.Time `aws:"ts=unixTimestamp"`
	Data            []byte
	Ok              *bool
	Ratio           *float64
	Big             *uint64
	Mode            mode
	Nested          *inner
	Matrix          [][]string
}

var errValidation = apierr.New("ValidationError", 400, "")

func testService(got *any) *awsproto.Service {
	return (&awsproto.Service{
		Name:            "sts",
		Protocol:        New("2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/"),
		ValidationError: errValidation,
		Operations: []awsproto.Operation{
			prototest.Capture[assumeInput]("AssumeRole", "", got),
			prototest.Capture[struct{}]("GetCallerIdentity", "", got),
		},
	}).Init()
}

var (
	t0 = time.Date(2019, 12, 16, 23, 48, 18, 0, time.UTC)
	t1 = time.Date(2019, 12, 16, 23, 48, 18, 500_000_000, time.UTC)
)

func form(body string) request {
	return request{Method: "POST", Target: "/", Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, Body: body}
}

const arn = "arn:aws:iam::000000000000:role/r"

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
			req: form("Action=AssumeRole&Version=2011-06-15&RoleArn=" + arn + "&DurationSeconds=3600" +
				"&Tags.member.1.Key=k1&Tags.member.1.Value=v+1&Tags.member.2.Key=k2&Tags.member.4.Key=skipped" +
				"&PolicyArn.1=p1&PolicyArn.2=p%262" +
				"&Attributes.entry.1.key=a&Attributes.entry.1.value=1&Attributes.entry.2.key=b&Attributes.entry.2.value=" +
				"&Attribute.1.Name=x&Attribute.1.Value.Name=xn&Attribute.1.Value.Items.Item.1=i1" +
				"&When=2019-12-16T23%3A48%3A18.5Z&Epoch=1576540098&Data=aGk%3D&Ok=true&Ratio=-Infinity&Big=18446744073709551615" +
				"&Mode=Fifo&Nested.Name=n&Nested.Items.Item.1=a&Nested.Items.Item.2=b" +
				"&Matrix.member.1.member.1=x&Matrix.member.1.member.2=y&Matrix.member.2.member.1=z&Unknown.member.1=u"),
			want: &assumeInput{
				RoleArn: ptr(arn), DurationSeconds: ptr[int32](3600),
				Tags:       []tag{{Key: ptr("k1"), Value: ptr("v 1")}, {Key: ptr("k2")}},
				PolicyArns: []string{"p1", "p&2"},
				Attributes: map[string]string{"a": "1", "b": ""},
				FlatAttrs:  map[string]*inner{"x": {Name: ptr("xn"), Items: []string{"i1"}}},
				When:       &t1, Epoch: &t0, Data: []byte("hi"), Ok: ptr(true), Ratio: ptr(math.Inf(-1)), Big: ptr(uint64(math.MaxUint64)),
				Mode: "Fifo", Nested: &inner{Name: ptr("n"), Items: []string{"a", "b"}},
				Matrix: [][]string{{"x", "y"}, {"z"}},
			},
		},
		{
			name: "parameters in the URL query",
			req:  request{Method: "GET", Target: "/?Action=AssumeRole&RoleArn=" + arn + "&Tags.member.1.Key=k"},
			want: &assumeInput{RoleArn: ptr(arn), Tags: []tag{{Key: ptr("k")}}},
		},
		{
			name: "the first of repeated parameters",
			req:  form("Action=AssumeRole&RoleArn=" + arn + "&RoleArn=other"),
			want: &assumeInput{RoleArn: ptr(arn)},
		},
		{
			name: "an empty list is present",
			req:  form("Action=AssumeRole&RoleArn=" + arn + "&Tags="),
			want: &assumeInput{RoleArn: ptr(arn), Tags: []tag{}},
		},
		{name: "no input", req: form("Action=GetCallerIdentity&Version=2011-06-15"), want: &struct{}{}},

		{name: "bad integer", req: form("Action=AssumeRole&RoleArn=" + arn + "&DurationSeconds=1h"),
			wantCode: "ValidationError", wantStatus: 400, wantMsg: "Value '1h' for parameter DurationSeconds is invalid. Not a valid Long"},
		{name: "bad list item", req: form("Action=AssumeRole&RoleArn=" + arn + "&Matrix.member.1.member.1=x&Nested.Items.Item.1=a&Big=-1"),
			wantCode: "ValidationError", wantStatus: 400},
		{name: "bad boolean", req: form("Action=AssumeRole&RoleArn=" + arn + "&Ok=yes"),
			wantCode: "ValidationError", wantStatus: 400},
		{name: "bad timestamp", req: form("Action=AssumeRole&RoleArn=" + arn + "&When=1576540098"),
			wantCode: "ValidationError", wantStatus: 400},
		{name: "bad base64", req: form("Action=AssumeRole&RoleArn=" + arn + "&Data=%21"),
			wantCode: "ValidationError", wantStatus: 400},
		{name: "missing required", req: form("Action=AssumeRole"),
			wantCode: "ValidationError", wantStatus: 400,
			wantMsg: "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null"},
		{name: "enum and range", req: form("Action=AssumeRole&RoleArn=" + arn + "&Mode=Other&DurationSeconds=60"),
			wantCode: "ValidationError", wantStatus: 400,
			wantMsg: "2 validation errors detected: " +
				"Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900; " +
				"Value 'Other' at 'mode' failed to satisfy constraint: Member must satisfy enum value set: [Standard, Fifo]"},
		{name: "required in a list", req: form("Action=AssumeRole&RoleArn=" + arn + "&Tags.member.1.Value=v"),
			wantCode: "ValidationError", wantStatus: 400,
			wantMsg: "1 validation error detected: Value null at 'tags.1.member.key' failed to satisfy constraint: Member must not be null"},
		{name: "missing action", req: form("Version=2011-06-15"), wantCode: "MissingAction", wantStatus: 400},
		{name: "unknown action", req: form("Action=Nope"), wantCode: "InvalidAction", wantStatus: 400,
			wantMsg: "Could not find operation Nope for version 2011-06-15"},
		{name: "malformed form", req: form("Action=AssumeRole&%zz=1"), wantCode: "MalformedQueryString", wantStatus: 400},
		{name: "JSON body", req: request{Method: "POST", Target: "/", Header: map[string]string{"Content-Type": "application/json"}, Body: `{"Action":"AssumeRole"}`},
			wantCode: "MalformedQueryString", wantStatus: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got any
			w := prototest.Serve(testService(&got), tt.req)
			if tt.wantCode != "" {
				var e struct {
					Type      string `xml:"Error>Type"`
					Code      string `xml:"Error>Code"`
					Message   string `xml:"Error>Message"`
					RequestID string `xml:"RequestId"`
				}
				if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil {
					t.Fatalf("error body %q: %v", w.Body, err)
				}
				if e.Code != tt.wantCode || w.Code != tt.wantStatus || e.Type != "Sender" || e.RequestID != "req-0001" {
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

type credentials struct {
	AccessKeyID     *string `aws:"name=AccessKeyId"`
	SecretAccessKey *string
	Expiration      *time.Time
}

type assumeOutput struct {
	Credentials      *credentials
	PackedPolicySize *int32
	Ratio            *float64
	Epoch            *time.Time `aws:"ts=unixTimestamp"`
	Data             []byte
	Tags             []tag
	Flat             []string          `aws:"flat,name=Item"`
	Attributes       map[string]string `aws:"key=Name,value=Value"`
	FlatMap          map[string]string `aws:"flat,name=Entry"`
	Empty            []string
	Escaped          *string
	Mode             mode
}

type batchDetails struct {
	BatchEntryID *string `aws:"name=BatchEntryId"`
}

func TestEncode(t *testing.T) {
	t.Parallel()
	full := &assumeOutput{
		Credentials:      &credentials{AccessKeyID: ptr("ASIA"), SecretAccessKey: ptr("s"), Expiration: &t1},
		PackedPolicySize: ptr[int32](6), Ratio: ptr(math.NaN()), Epoch: &t0, Data: []byte{1},
		Tags: []tag{{Key: ptr("k"), Value: ptr("v")}, {Key: ptr("e")}}, Flat: []string{"a", "b"},
		Attributes: map[string]string{"n": "v"}, FlatMap: map[string]string{"x": "y"}, Empty: []string{},
		Escaped: ptr(`<&>"'`), Mode: "Standard",
	}
	tests := []struct {
		name string
		out  any
		err  error
	}{
		{name: "full", out: full},
		{name: "empty output has no result element", out: &struct{}{}},
		{name: "error", err: apierr.New("ExpiredToken", 400, "The security token included in the request is expired")},
		{name: "error with details and headers", err: (&apierr.Error{Code: "BatchEntryIdsNotDistinct", Status: 400, Message: "Two & more",
			Headers: map[string]string{"X-Extra": "1"}}).WithDetails(&batchDetails{BatchEntryID: ptr("id-1")})},
		{name: "fault", err: errors.New("boom")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var o awsproto.Operation
			if tt.err != nil {
				o = prototest.Op[struct{}, struct{}]("AssumeRole", "", 200, nil, tt.err)
			} else {
				o = awsproto.Operation{Name: "AssumeRole", Handler: anyHandler{tt.out}}
			}
			svc := prototest.NewService(New("2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/"), o)
			w := prototest.Serve(svc, form("Action=AssumeRole"))
			d := xml.NewDecoder(strings.NewReader(w.Body.String()))
			for {
				if _, err := d.Token(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("not well-formed: %v\n%s", err, w.Body)
				}
			}
			prototest.Golden(t, "encode/"+strings.ReplaceAll(tt.name, " ", "_"), prototest.Dump(w))
		})
	}
}

func TestParamsInTheURL(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("POST", "/?Action=Publish&Message=hi", strings.NewReader(`{"json": true}`))
	r.Header.Set("Content-Type", "application/json")
	vals, err := Params(r, []byte(`{"json": true}`))
	if err != nil || vals.Get("Action") != "Publish" || vals.Get("Message") != "hi" || len(vals) != 2 {
		t.Errorf("Params = %v, %v", vals, err)
	}
	r = httptest.NewRequest("POST", "/", strings.NewReader(`{"json": true}`))
	r.Header.Set("Content-Type", "application/json")
	if _, err := Params(r, []byte(`{"json": true}`)); err == nil {
		t.Error("a JSON body without an Action in the URL was accepted")
	}
}

// TestEncodeJSON: a request that asks for JSON (as API Gateway's AWS
// integrations do) gets the result and errors in awsQuery's JSON form.
func TestEncodeJSON(t *testing.T) {
	t.Parallel()
	out := &assumeOutput{Credentials: &credentials{AccessKeyID: ptr("ASIA")}, PackedPolicySize: ptr[int32](6)}
	for name, o := range map[string]awsproto.Operation{
		"result": {Name: "AssumeRole", Handler: anyHandler{out}},
		"empty":  {Name: "AssumeRole", Handler: anyHandler{&struct{}{}}},
		"error":  prototest.Op[struct{}, struct{}]("AssumeRole", "", 200, nil, apierr.New("ExpiredToken", 400, "The token is expired")),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			svc := prototest.NewService(New("2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/"), o)
			req := form("Action=AssumeRole")
			req.Header["Accept"] = "application/json"
			w := prototest.Serve(svc, req)
			if !json.Valid(w.Body.Bytes()) || w.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("not JSON: %s %s", w.Header(), w.Body)
			}
			prototest.Golden(t, "encode_json/"+name, prototest.Dump(w))
		})
	}
}

// anyHandler answers with a fixed output of any type.
type anyHandler struct{ out any }

func (h anyHandler) NewInput() any                           { return &struct{}{} }
func (h anyHandler) Serve(context.Context, any) (any, error) { return h.out, nil }
func (h anyHandler) OutputType() reflect.Type                { return reflect.TypeOf(h.out).Elem() }

// FuzzDecode proves that no form, query string or content type makes
// decoding panic, and that every failure is an *apierr.Error.
func FuzzDecode(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "", "Action=AssumeRole&RoleArn="+arn+"&Tags.member.1.Key=k&Matrix.member.1.member.1=x")
	f.Add("application/x-www-form-urlencoded", "Action=AssumeRole", "Attribute.1.Name=x&Attribute.1.Value.Items.Item.99999999=y&Big=-1")
	f.Add("application/x-www-form-urlencoded", "", "Action=AssumeRole&Tags.member.1=x&Tags.member.1.Key.Deep=y&Nested=z&Nested.Name=n")
	f.Add("text/plain", "Action=GetCallerIdentity", "x")
	f.Add("", "Action=AssumeRole&When=2019-12-16T23:48:18Z&Epoch=1e400&Data=%00", "")
	f.Add("application/x-www-form-urlencoded", "%zz", "Action=%")
	f.Fuzz(func(t *testing.T, contentType, rawQuery, body string) {
		var got any
		svc := testService(&got)
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.URL.RawQuery = rawQuery
		r.Header = map[string][]string{"Content-Type": {contentType}}
		serveFuzzed(t, svc, r, body)
	})
}

// serveFuzzed serves a fuzzed request, failing on any error that is not
// an AWS error.
func serveFuzzed(t *testing.T, svc *awsproto.Service, r *http.Request, body string) {
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
}
