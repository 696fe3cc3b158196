package restjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/virga/virga/internal/awsproto/prototest"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
)

type color string

func (color) Values() []string { return []string{"red", "green"} }

type item struct {
	ID   *int64 `aws:"name=Id"`
	When *time.Time
}

type nested struct {
	Name   *string
	Tags   map[string]string
	Items  []item
	Matrix [][]int32
	Ptrs   map[string]*item
}

// thingInput exercises every binding and the body.
type thingInput struct {
	Name    *string           `aws:"loc=uri,locname=Name,required"`
	Path    *string           `aws:"loc=uri,locname=Path"`
	Limit   *int32            `aws:"loc=query,locname=limit"`
	Since   *time.Time        `aws:"loc=query,locname=since"`
	Ids     []int64           `aws:"loc=query,locname=id"`
	Flag    *bool             `aws:"loc=header,locname=X-Flag"`
	Stamp   *time.Time        `aws:"loc=header,locname=X-Stamp"`
	Epoch   *time.Time        `aws:"loc=header,locname=X-Epoch,ts=unixTimestamp"`
	List    []string          `aws:"loc=header,locname=X-List"`
	Dates   []time.Time       `aws:"loc=header,locname=X-Dates"`
	Meta    map[string]string `aws:"loc=headers,locname=X-Meta-"`
	Color   color
	Blob    []byte
	When    *time.Time
	WhenISO *time.Time `aws:"ts=iso8601"`
	Ratio   *float64
	Count   int64
	Nested  *nested
}

type labelsInput struct {
	When *time.Time `aws:"loc=uri,locname=When"`
	N    *int32     `aws:"loc=uri,locname=N"`
	Ok   *bool      `aws:"loc=uri,locname=Ok"`
}

type queryMapInput struct {
	Named *string           `aws:"loc=query,locname=named"`
	All   map[string]string `aws:"loc=querymap"`
}

type queryMapListInput struct {
	All map[string][]string `aws:"loc=querymap"`
}

type blobPayloadInput struct {
	Name        *string `aws:"loc=uri,locname=Name"`
	ContentType *string `aws:"loc=header,locname=Content-Type"`
	Data        []byte  `aws:"loc=payload"`
}

type streamPayloadInput struct {
	Body io.ReadCloser `aws:"loc=payload"`
}

type structPayloadInput struct {
	Doc *nested `aws:"loc=payload"`
}

type stringPayloadInput struct {
	Text *string `aws:"loc=payload"`
}

var (
	t0 = time.Date(2019, 12, 16, 23, 48, 18, 0, time.UTC)
	t1 = time.Date(2019, 12, 16, 23, 48, 18, 500_000_000, time.UTC)
)

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		req        request
		want       any
		wantCode   string
		wantStatus int
	}{
		{
			name: "every binding",
			req: request{Method: "PUT", Target: "/things/my%20thing/a/b%2Fc/d?limit=10&since=2019-12-16T23:48:18Z&id=1&id=2&unbound=x",
				Header: map[string]string{
					"X-Flag": "true", "X-Stamp": "Mon, 16 Dec 2019 23:48:18 GMT", "X-Epoch": "1576540098.5",
					"X-List": `a, "b,c", "\"d\""`, "X-Dates": "Mon, 16 Dec 2019 23:48:18 GMT, Mon, 16 Dec 2019 23:48:18 GMT",
					"X-Meta-Owner": "me", "x-meta-color": "blue",
				},
				Body: `{"Color":"red","Blob":"aGk=","When":1576540098,"WhenISO":"2019-12-16T23:48:18.5Z","Ratio":"NaN","Count":-3,
					"Nested":{"Name":"n","Tags":{"k":"v"},"Items":[{"Id":1,"When":1576540098.5},{}],"Matrix":[[1,2],[3]],"Ptrs":{"p":{"Id":7}}},
					"Unknown":{"deep":[1,2,3]}}`},
			want: &thingInput{
				Name: ptr("my thing"), Path: ptr("a/b/c/d"), Limit: ptr[int32](10), Since: &t0, Ids: []int64{1, 2},
				Flag: ptr(true), Stamp: &t0, Epoch: &t1, List: []string{"a", "b,c", `"d"`}, Dates: []time.Time{t0, t0},
				Meta:  map[string]string{"owner": "me", "color": "blue"},
				Color: "red", Blob: []byte("hi"), When: &t0, WhenISO: &t1, Ratio: ptr(math.NaN()), Count: -3,
				Nested: &nested{Name: ptr("n"), Tags: map[string]string{"k": "v"},
					Items: []item{{ID: ptr[int64](1), When: &t1}, {}}, Matrix: [][]int32{{1, 2}, {3}},
					Ptrs: map[string]*item{"p": {ID: ptr[int64](7)}}},
			},
		},
		{
			name: "empty body and nulls",
			req:  request{Method: "PUT", Target: "/things/x/y", Body: `{"Nested":null,"Blob":null}`},
			want: &thingInput{Name: ptr("x"), Path: ptr("y")},
		},
		{
			name: "no body at all",
			req:  request{Method: "PUT", Target: "/things/x/y"},
			want: &thingInput{Name: ptr("x"), Path: ptr("y")},
		},
		{
			name: "empty string header is a string, empty header of another type is absent",
			req:  request{Method: "PUT", Target: "/things/x/y", Header: map[string]string{"X-Flag": "", "X-List": ""}},
			want: &thingInput{Name: ptr("x"), Path: ptr("y"), List: []string{}},
		},
		{
			name: "labels in their formats",
			req:  request{Method: "GET", Target: "/labels/2019-12-16T23%3A48%3A18Z/-7/false"},
			want: &labelsInput{When: &t0, N: ptr[int32](-7), Ok: ptr(false)},
		},
		{
			name: "query map holds every parameter",
			req:  request{Method: "GET", Target: "/qmap?named=n&a=1&a=2&b="},
			want: &queryMapInput{Named: ptr("n"), All: map[string]string{"named": "n", "a": "1", "b": ""}},
		},
		{
			name: "query map of lists",
			req:  request{Method: "GET", Target: "/qmaplist?a=1&a=2&b="},
			want: &queryMapListInput{All: map[string][]string{"a": {"1", "2"}, "b": {""}}},
		},
		{
			name: "blob payload",
			req:  request{Method: "POST", Target: "/blobs/b", Header: map[string]string{"Content-Type": "image/png"}, Body: "\x00\x01raw"},
			want: &blobPayloadInput{Name: ptr("b"), ContentType: ptr("image/png"), Data: []byte("\x00\x01raw")},
		},
		{
			name: "empty blob payload is absent",
			req:  request{Method: "POST", Target: "/blobs/b"},
			want: &blobPayloadInput{Name: ptr("b")},
		},
		{
			name: "structure payload",
			req:  request{Method: "PUT", Target: "/docs", Body: `{"Name":"n","Items":[{"Id":3}]}`},
			want: &structPayloadInput{Doc: &nested{Name: ptr("n"), Items: []item{{ID: ptr[int64](3)}}}},
		},
		{
			name: "string payload",
			req:  request{Method: "PUT", Target: "/text", Body: "plain text"},
			want: &stringPayloadInput{Text: ptr("plain text")},
		},

		{name: "body not JSON", req: request{Method: "PUT", Target: "/things/x/y", Body: `{"Color":`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "body not an object", req: request{Method: "PUT", Target: "/things/x/y", Body: `[1]`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "trailing garbage", req: request{Method: "PUT", Target: "/things/x/y", Body: `{} {}`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "string for a number", req: request{Method: "PUT", Target: "/things/x/y", Body: `{"Count":"3"}`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "number for a string", req: request{Method: "PUT", Target: "/things/x/y", Body: `{"Nested":{"Name":1}}`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "bad base64", req: request{Method: "PUT", Target: "/things/x/y", Body: `{"Blob":"!!"}`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "bad timestamp", req: request{Method: "PUT", Target: "/things/x/y", Body: `{"WhenISO":"yesterday"}`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "bad query integer", req: request{Method: "PUT", Target: "/things/x/y?limit=ten"},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "query integer overflow", req: request{Method: "PUT", Target: "/things/x/y?limit=9223372000000000000"},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "bad query list item", req: request{Method: "PUT", Target: "/things/x/y?id=1&id=x"},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "bad query timestamp", req: request{Method: "PUT", Target: "/things/x/y?since=Mon,%2016%20Dec%202019%2023:48:18%20GMT"},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "bad header boolean", req: request{Method: "PUT", Target: "/things/x/y", Header: map[string]string{"X-Flag": "yes"}},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "bad header timestamp", req: request{Method: "PUT", Target: "/things/x/y", Header: map[string]string{"X-Stamp": "2019-12-16T23:48:18Z"}},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "bad label integer", req: request{Method: "GET", Target: "/labels/2019-12-16T23%3A48%3A18Z/1.5/true"},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "bad label boolean", req: request{Method: "GET", Target: "/labels/2019-12-16T23%3A48%3A18Z/1/TRUE"},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "enum outside its set", req: request{Method: "PUT", Target: "/things/x/y", Body: `{"Color":"blue"}`},
			wantCode: "ValidationException", wantStatus: 400},
		{name: "unknown route", req: request{Method: "GET", Target: "/nowhere"},
			wantCode: "UnknownOperationException", wantStatus: 404},
		{name: "known path, other method", req: request{Method: "DELETE", Target: "/things/x/y"},
			wantCode: "UnknownOperationException", wantStatus: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got any
			svc := prototest.NewService(New(),
				prototest.Capture[thingInput]("PutThing", "PUT /things/{Name}/{Path+}", &got),
				prototest.Capture[labelsInput]("Labels", "GET /labels/{When}/{N}/{Ok}", &got),
				prototest.Capture[queryMapInput]("QueryMap", "GET /qmap", &got),
				prototest.Capture[queryMapListInput]("QueryMapList", "GET /qmaplist", &got),
				prototest.Capture[blobPayloadInput]("Blob", "POST /blobs/{Name}", &got),
				prototest.Capture[structPayloadInput]("Doc", "PUT /docs", &got),
				prototest.Capture[stringPayloadInput]("Text", "PUT /text", &got),
			)
			w := prototest.Serve(svc, tt.req)
			if tt.wantCode != "" {
				if code := w.Header().Get("X-Amzn-ErrorType"); code != tt.wantCode || w.Code != tt.wantStatus {
					t.Fatalf("got %d %q (%s), want %d %q", w.Code, code, w.Body, tt.wantStatus, tt.wantCode)
				}
				if !json.Valid(w.Body.Bytes()) {
					t.Errorf("error body is not JSON: %s", w.Body)
				}
				return
			}
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if !equal(got, tt.want) {
				t.Errorf("decoded\n%s\nwant\n%s", show(got), show(tt.want))
			}
		})
	}
}

func TestDecodeStreamPayload(t *testing.T) {
	t.Parallel()
	var got any
	svc := prototest.NewService(New(), prototest.Capture[streamPayloadInput]("Stream", "PUT /stream", &got))
	for _, body := range []string{"streamed bytes", ""} {
		w := prototest.Serve(svc, request{Method: "PUT", Target: "/stream", Body: body})
		if w.Code != 200 {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		rc := got.(*streamPayloadInput).Body
		if rc == nil {
			t.Fatal("stream payload is nil")
		}
		b, _ := io.ReadAll(rc)
		if string(b) != body {
			t.Errorf("stream = %q, want %q", b, body)
		}
	}
}

// equal compares decoded inputs, with NaN equal to itself.
func equal(a, b any) bool {
	return show(a) == show(b)
}

func show(v any) string {
	b, err := json.MarshalIndent(normalize(reflect.ValueOf(v)), "", "  ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// normalize turns a value into something encoding/json prints faithfully:
// NaN as a string, times in RFC 3339, streams as a marker.
func normalize(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Invalid:
		return nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return map[string]any{"*": normalize(v.Elem())}
	case reflect.Float32, reflect.Float64:
		return shapeFloat(v.Float())
	case reflect.Struct:
		if tm, ok := v.Interface().(time.Time); ok {
			return tm.UTC().Format(time.RFC3339Nano)
		}
		m := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				m[v.Type().Field(i).Name] = normalize(v.Field(i))
			}
		}
		return m
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return "bytes:" + string(v.Bytes())
		}
		out := []any{}
		for i := 0; i < v.Len(); i++ {
			out = append(out, normalize(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		m := map[string]any{}
		iter := v.MapRange()
		for iter.Next() {
			m[iter.Key().String()] = normalize(iter.Value())
		}
		return m
	}
	return v.Interface()
}

func shapeFloat(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Sprint("float:", f)
	}
	return f
}

// thingOutput exercises every response binding and the body.
type thingOutput struct {
	Status   *int32            `aws:"loc=status"`
	Name     *string           `aws:"loc=header,locname=X-Name"`
	Count    *int64            `aws:"loc=header,locname=X-Count"`
	Flag     *bool             `aws:"loc=header,locname=X-Flag"`
	Stamp    *time.Time        `aws:"loc=header,locname=X-Stamp"`
	StampISO *time.Time        `aws:"loc=header,locname=X-Stamp-Iso,ts=iso8601"`
	List     []string          `aws:"loc=header,locname=X-List"`
	Dates    []time.Time       `aws:"loc=header,locname=X-Dates"`
	Empty    *string           `aws:"loc=header,locname=X-Empty"`
	Absent   *string           `aws:"loc=header,locname=X-Absent"`
	Meta     map[string]string `aws:"loc=headers,locname=X-Meta-"`
	Query    *string           `aws:"loc=query,locname=q"`
	Color    color
	Blob     []byte
	When     *time.Time
	WhenISO  *time.Time `aws:"ts=iso8601"`
	Ratio    *float64
	Inf      *float64
	Count2   int64 `aws:"name=Count"`
	Nested   *nested
	Skipped  *string
}

type blobOutput struct {
	ContentType *string `aws:"loc=header,locname=Content-Type"`
	Version     *string `aws:"loc=header,locname=X-Version"`
	Payload     []byte  `aws:"loc=payload"`
}

type octetOutput struct {
	Payload []byte `aws:"loc=payload"`
}

type stringOutput struct {
	Text *string `aws:"loc=payload"`
}

type streamOutput struct {
	Length *int64        `aws:"loc=header,locname=Content-Length"`
	Body   io.ReadCloser `aws:"loc=payload"`
}

type structOutput struct {
	ETag *string `aws:"loc=header,locname=ETag"`
	Doc  *nested `aws:"loc=payload"`
}

type headersOnlyOutput struct {
	Version *string `aws:"loc=header,locname=X-Version"`
}

type conflictDetails struct {
	Reason   *string `aws:"loc=header,locname=X-Reason"`
	Resource *string
	Codes    []string
}

type closeTracker struct {
	io.Reader
	closed bool
}

func (c *closeTracker) Close() error { c.closed = true; return nil }

func TestEncode(t *testing.T) {
	t.Parallel()
	full := &thingOutput{
		Status: ptr[int32](201), Name: ptr("n"), Count: ptr[int64](42), Flag: ptr(false), Stamp: &t0, StampISO: &t1,
		List: []string{"a", "b,c", `"d"`}, Dates: []time.Time{t0, t0}, Empty: ptr(""),
		Meta: map[string]string{"owner": "me", "color": "blue"}, Query: ptr("ignored"),
		Color: "green", Blob: []byte("hi"), When: &t1, WhenISO: &t0, Ratio: ptr(0.25), Inf: ptr(math.Inf(-1)), Count2: 7,
		Nested: &nested{Name: ptr("n"), Tags: map[string]string{"k": "v"}, Items: []item{{ID: ptr[int64](1), When: &t0}, {}},
			Matrix: [][]int32{{1, 2}, {}}, Ptrs: map[string]*item{"p": {ID: ptr[int64](9)}}},
	}
	tracker := &closeTracker{Reader: strings.NewReader("streamed")}
	headTracker := &closeTracker{Reader: strings.NewReader("never sent")}
	tests := []struct {
		name  string
		op    awsproto.Operation
		style ErrorStyle
	}{
		{name: "full", op: prototest.Op[struct{}]("Full", "GET /x", 200, full, nil)},
		{name: "status from operation", op: prototest.Op[struct{}]("Created", "POST /x", 202, &thingOutput{Count2: 1}, nil)},
		{name: "empty output is an empty object", op: prototest.Op[struct{}]("Empty", "GET /x", 200, &struct{}{}, nil)},
		{name: "nil output", op: prototest.Op[struct{}]("Nil", "GET /x", 200, (*thingOutput)(nil), nil)},
		{name: "headers only", op: prototest.Op[struct{}]("HeadersOnly", "GET /x", 200, &headersOnlyOutput{Version: ptr("1")}, nil)},
		{name: "no content", op: prototest.Op[struct{}]("Delete", "DELETE /x", 204, &struct{}{}, nil)},
		{name: "head", op: prototest.Op[struct{}]("Head", "HEAD /x", 200, &thingOutput{Name: ptr("n"), Count2: 1}, nil)},
		{name: "blob payload with content type", op: prototest.Op[struct{}]("Invoke", "POST /x", 200,
			&blobOutput{ContentType: ptr("application/json"), Version: ptr("$LATEST"), Payload: []byte(`{"ok":true}`)}, nil)},
		{name: "blob payload", op: prototest.Op[struct{}]("Octets", "GET /x", 200, &octetOutput{Payload: []byte{0, 1, 2}}, nil)},
		{name: "absent blob payload", op: prototest.Op[struct{}]("NoOctets", "GET /x", 200, &octetOutput{}, nil)},
		{name: "string payload", op: prototest.Op[struct{}]("Text", "GET /x", 200, &stringOutput{Text: ptr("héllo")}, nil)},
		{name: "stream payload", op: prototest.Op[struct{}]("Stream", "GET /x", 200, &streamOutput{Body: tracker}, nil)},
		{name: "stream payload to head", op: prototest.Op[struct{}]("HeadStream", "HEAD /x", 200,
			&streamOutput{Length: ptr[int64](10), Body: headTracker}, nil)},
		{name: "structure payload", op: prototest.Op[struct{}]("Doc", "GET /x", 200,
			&structOutput{ETag: ptr(`"abc"`), Doc: &nested{Name: ptr("n"), Items: []item{{ID: ptr[int64](1)}}}}, nil)},
		{name: "absent structure payload", op: prototest.Op[struct{}]("NoDoc", "GET /x", 200, &structOutput{}, nil)},

		{name: "error", op: prototest.Op[struct{}, struct{}]("Fail", "GET /x", 200, nil,
			apierr.New("ResourceNotFoundException", 404, `Function not found: arn:aws:lambda:us-east-1:000000000000:function:"f"`))},
		{name: "error lambda style", style: LambdaErrors, op: prototest.Op[struct{}, struct{}]("Fail", "GET /x", 200, nil,
			apierr.New("ResourceNotFoundException", 404, "Function not found: arn:aws:lambda:us-east-1:000000000000:function:f"))},
		{name: "validation lambda style", style: LambdaErrors, op: prototest.Op[struct{}, struct{}]("Fail", "GET /x", 200, nil,
			apierr.New("ValidationException", 400, "1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: "+
				"Member must have value greater than or equal to 128"))},
		{name: "conflict lambda style", style: LambdaErrors, op: prototest.Op[struct{}, struct{}]("Fail", "GET /x", 200, nil,
			apierr.New("ResourceConflictException", 409, "Function already exist: f"))},
		{name: "fault lambda style", style: LambdaErrors, op: prototest.Op[struct{}, struct{}]("Fail", "GET /x", 200, nil,
			&apierr.Error{Code: "ServiceException", Status: 500, Message: "boom", Fault: true})},
		{name: "error with details and headers", op: prototest.Op[struct{}, struct{}]("Fail", "GET /x", 200, nil,
			(&apierr.Error{Code: "ConflictException", Status: 409, Message: "in use",
				Headers: map[string]string{"X-Amz-Function-Error": "Unhandled"}}).
				WithDetails(&conflictDetails{Reason: ptr("busy"), Resource: ptr("r"), Codes: []string{"a"}}))},
		{name: "internal error", op: prototest.Op[struct{}, struct{}]("Fail", "GET /x", 200, nil, errors.New("disk on fire"))},
		{name: "error to head", op: prototest.Op[struct{}, struct{}]("Fail", "HEAD /x", 200, nil,
			apierr.New("ResourceNotFoundException", 404, "gone"))},
		{name: "serialization error", op: prototest.Op[thingInput, struct{}]("Bad", "PUT /things/{Name}/{Path+}", 200, &struct{}{}, nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc := prototest.NewService(New(WithErrorStyle(tt.style)), tt.op)
			method, _, _ := strings.Cut(tt.op.HTTP, " ")
			req := request{Method: method, Target: "/x"}
			if tt.op.Name == "Bad" {
				req = request{Method: "PUT", Target: "/things/a/b", Body: `{"Count":"x"}`}
			}
			w := prototest.Serve(svc, req)
			prototest.Golden(t, "encode/"+strings.ReplaceAll(tt.name, " ", "_"), prototest.Dump(w))
		})
	}
	// The subtests are parallel: check once they are done.
	t.Cleanup(func() {
		if !tracker.closed || !headTracker.closed {
			t.Error("a stream payload was not closed")
		}
	})
}

func TestUnknownOperation(t *testing.T) {
	t.Parallel()
	svc := prototest.NewService(New(WithErrorStyle(LambdaErrors)), prototest.Op[struct{}]("Get", "GET /2015-03-31/functions/{F}", 200, &struct{}{}, nil))
	w := prototest.Serve(svc, request{Method: "GET", Target: "/2015-03-31/nothing"})
	prototest.Golden(t, "encode/unknown_operation", prototest.Dump(w))

	other := prototest.NewService(New(WithUnknownOperation(apierr.New("NotFoundException", 404, "Invalid path"))))
	w = prototest.Serve(other, request{Method: "GET", Target: "/anything"})
	if w.Code != 404 || w.Header().Get("X-Amzn-ErrorType") != "NotFoundException" {
		t.Errorf("custom unknown operation error: %d %s", w.Code, w.Header())
	}
}

func TestInitPanics(t *testing.T) {
	t.Parallel()
	type twoPayloads struct {
		A []byte `aws:"loc=payload"`
		B []byte `aws:"loc=payload"`
	}
	type payloadAndBody struct {
		A []byte `aws:"loc=payload"`
		B *string
	}
	type stray struct {
		A *string `aws:"loc=uri,locname=Missing"`
	}
	for name, op := range map[string]awsproto.Operation{
		"no binding":         prototest.Op[struct{}]("A", "", 200, &struct{}{}, nil),
		"malformed binding":  prototest.Op[struct{}]("A", "GET nowhere", 200, &struct{}{}, nil),
		"two payloads":       prototest.Op[twoPayloads]("A", "GET /", 200, &struct{}{}, nil),
		"payload and body":   prototest.Op[struct{}]("A", "GET /", 200, &payloadAndBody{}, nil),
		"label not in route": prototest.Op[stray]("A", "GET /{Other}", 200, &struct{}{}, nil),
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Init did not panic", name)
				}
			}()
			prototest.NewService(New(), op)
		}()
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("sharing a Protocol between services did not panic")
			}
		}()
		p := New()
		prototest.NewService(p, prototest.Op[struct{}]("A", "GET /a", 200, &struct{}{}, nil))
		prototest.NewService(p, prototest.Op[struct{}]("A", "GET /a", 200, &struct{}{}, nil))
	}()
}

// FuzzDecode proves that no request, however malformed its path, query,
// headers or body, makes decoding panic, and that every failure is an
// *apierr.Error.
func FuzzDecode(f *testing.F) {
	f.Add("PUT", "/things/a/b?limit=1&id=2&since=2019-12-16T23:48:18Z", "X-List", `a, "b,c"`, `{"Nested":{"Items":[{"Id":1}]}}`)
	f.Add("PUT", "/things/a%2F/b//c", "X-Dates", "Mon, 16 Dec 2019 23:48:18 GMT, x", `{"Blob":"aGk=","When":"1e400"}`)
	f.Add("GET", "/labels/x/1/true", "X-Meta-A", "", `{`)
	f.Add("GET", "/qmap?a=%zz&b&c=1", "X-Stamp", "Mon, 16 Dec 2019", `[[[[[[[[[[]]]]]]]]]]`)
	f.Add("POST", "/blobs/b", "Content-Type", "x", "\x00\xff")
	f.Add("PUT", "/docs", "X-Flag", "true", `{"Matrix":[[1,"a"]]}`)
	f.Add("PUT", "/things/x/y", "X-Epoch", "NaN", `{"Ratio":"Infinity","Count":1.5e300}`)
	f.Fuzz(func(t *testing.T, method, target, hname, hvalue, body string) {
		var got any
		svc := prototest.NewService(New(),
			prototest.Capture[thingInput]("PutThing", "PUT /things/{Name}/{Path+}", &got),
			prototest.Capture[labelsInput]("Labels", "GET /labels/{When}/{N}/{Ok}", &got),
			prototest.Capture[queryMapInput]("QueryMap", "GET /qmap", &got),
			prototest.Capture[blobPayloadInput]("Blob", "POST /blobs/{Name}", &got),
			prototest.Capture[structPayloadInput]("Doc", "PUT /docs", &got),
		)
		u, err := url.Parse(target)
		if err != nil {
			return
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.Method, r.URL = method, u
		r.Header = http.Header{hname: {hvalue}}
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
		// The whole path, encoding included, must not panic either.
		svc.Serve(c, httptest.NewRecorder())
	})
}
