package restxml

import (
	"encoding/xml"
	"errors"
	"github.com/virga/virga/internal/awsproto/prototest"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
)

type color string

func (color) Values() []string { return []string{"red", "green"} }

type tag struct {
	Key   *string
	Value *string
}

type nested struct {
	Name   *string
	Tags   []tag             `aws:"member=Tag"`
	Flat   []string          `aws:"flat,name=Item"`
	Attrs  map[string]string `aws:"flat,name=Attr,key=Name,value=Value"`
	Matrix [][]int32
}

// thingInput exercises every binding and an XML body.
type thingInput struct {
	Name    *string           `aws:"loc=uri,locname=Name,required"`
	Path    *string           `aws:"loc=uri,locname=Path"`
	Limit   *int32            `aws:"loc=query,locname=max-keys"`
	Since   *time.Time        `aws:"loc=query,locname=since"`
	Ids     []int64           `aws:"loc=query,locname=id"`
	Flag    *bool             `aws:"loc=header,locname=x-amz-flag"`
	Stamp   *time.Time        `aws:"loc=header,locname=If-Modified-Since"`
	List    []string          `aws:"loc=header,locname=X-List"`
	Meta    map[string]string `aws:"loc=headers,locname=x-amz-meta-"`
	Color   color
	Blob    []byte
	When    *time.Time
	Epoch   *time.Time `aws:"ts=unixTimestamp"`
	Ratio   *float64
	Count   int64
	Nested  *nested
	Version *string `aws:"name=version,attr"`
}

type blobPayloadInput struct {
	Bucket      *string `aws:"loc=uri,locname=Bucket"`
	Key         *string `aws:"loc=uri,locname=Key"`
	ContentType *string `aws:"loc=header,locname=Content-Type"`
	Body        []byte  `aws:"loc=payload"`
}

type structPayloadInput struct {
	Bucket  *string `aws:"loc=uri,locname=Bucket"`
	Tagging *nested `aws:"loc=payload,name=Tagging"`
}

var (
	t0 = time.Date(2019, 12, 16, 23, 48, 18, 0, time.UTC)
	t1 = time.Date(2019, 12, 16, 23, 48, 18, 500_000_000, time.UTC)
)

func testService(got *any, opts ...Option) *awsproto.Service {
	return prototest.NewService(New(opts...),
		prototest.Capture[thingInput]("PutThing", "PUT /things/{Name}/{Path+}", got),
		prototest.Capture[blobPayloadInput]("PutObject", "PUT /{Bucket}/{Key+}", got),
		prototest.Capture[structPayloadInput]("PutBucketTagging", "PUT /{Bucket}?tagging", got),
	)
}

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		req        request
		opts       []Option
		want       any
		wantCode   string
		wantStatus int
	}{
		{
			name: "every binding",
			req: request{Method: "PUT", Target: "/things/t%201/a/b%2Fc?max-keys=10&since=2019-12-16T23:48:18.5Z&id=1&id=2",
				Header: map[string]string{"x-amz-flag": "false", "If-Modified-Since": "Mon, 16 Dec 2019 23:48:18 GMT",
					"X-List": `a, "b,c"`, "X-Amz-Meta-Owner": "me"},
				Body: `<?xml version="1.0" encoding="UTF-8"?>
<PutThingRequest xmlns="http://example.com/" version="v2">
  <Color>green</Color><Blob>aGk=</Blob><When>2019-12-16T23:48:18Z</When><Epoch>1576540098.5</Epoch>
  <Ratio>-Infinity</Ratio><Count>-3</Count>
  <Nested><Name>n</Name><Tags><Tag><Key>k</Key><Value>v</Value></Tag></Tags><Item>1</Item><Item>2</Item>
    <Attr><Name>a</Name><Value>b</Value></Attr><Matrix><member><member>1</member></member></Matrix></Nested>
  <Unknown><x/></Unknown>
</PutThingRequest>`},
			want: &thingInput{Name: ptr("t 1"), Path: ptr("a/b/c"), Limit: ptr[int32](10), Since: &t1, Ids: []int64{1, 2},
				Flag: ptr(false), Stamp: &t0, List: []string{"a", "b,c"}, Meta: map[string]string{"owner": "me"},
				Color: "green", Blob: []byte("hi"), When: &t0, Epoch: &t1, Ratio: ptr(math.Inf(-1)), Count: -3,
				Nested: &nested{Name: ptr("n"), Tags: []tag{{Key: ptr("k"), Value: ptr("v")}}, Flat: []string{"1", "2"},
					Attrs: map[string]string{"a": "b"}, Matrix: [][]int32{{1}}},
				Version: ptr("v2")},
		},
		{
			name: "no body",
			req:  request{Method: "PUT", Target: "/things/x/y"},
			want: &thingInput{Name: ptr("x"), Path: ptr("y")},
		},
		{
			name: "blob payload",
			req:  request{Method: "PUT", Target: "/b/dir/k%3F.bin", Header: map[string]string{"Content-Type": "application/x-thing"}, Body: "<not xml>"},
			want: &blobPayloadInput{Bucket: ptr("b"), Key: ptr("dir/k?.bin"), ContentType: ptr("application/x-thing"), Body: []byte("<not xml>")},
		},
		{
			name: "structure payload",
			req: request{Method: "PUT", Target: "/b?tagging",
				Body: `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Tags><Tag><Key>k</Key><Value>v</Value></Tag></Tags></Tagging>`},
			want: &structPayloadInput{Bucket: ptr("b"), Tagging: &nested{Tags: []tag{{Key: ptr("k"), Value: ptr("v")}}}},
		},
		{
			name: "empty structure payload",
			req:  request{Method: "PUT", Target: "/b?tagging"},
			want: &structPayloadInput{Bucket: ptr("b")},
		},

		{name: "not XML", req: request{Method: "PUT", Target: "/things/x/y", Body: `{"Color":"red"}`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "unclosed", req: request{Method: "PUT", Target: "/things/x/y", Body: `<a><Color>red</Color>`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "bad integer", req: request{Method: "PUT", Target: "/things/x/y", Body: `<a><Count>1.5</Count></a>`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "bad payload", req: request{Method: "PUT", Target: "/b?tagging", Body: `<Tagging><Tags><Tag>`},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "S3 MalformedXML", opts: s3Options(), req: request{Method: "PUT", Target: "/b?tagging", Body: `<Tagging><Tags>`},
			wantCode: "MalformedXML", wantStatus: 400},
		{name: "bad query integer", req: request{Method: "PUT", Target: "/things/x/y?max-keys=ten"},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "S3 InvalidArgument", opts: s3Options(), req: request{Method: "PUT", Target: "/things/x/y?max-keys=ten"},
			wantCode: "InvalidArgument", wantStatus: 400},
		{name: "bad header timestamp", req: request{Method: "PUT", Target: "/things/x/y", Header: map[string]string{"If-Modified-Since": "yesterday"}},
			wantCode: "SerializationException", wantStatus: 400},
		{name: "enum outside its set", req: request{Method: "PUT", Target: "/things/x/y", Body: `<a><Color>blue</Color></a>`},
			wantCode: "ValidationException", wantStatus: 400},
		{name: "unknown route", req: request{Method: "GET", Target: "/"},
			wantCode: "UnknownOperationException", wantStatus: 404},
		{name: "S3 method not allowed", opts: s3Options(), req: request{Method: "POST", Target: "/b/k"},
			wantCode: "MethodNotAllowed", wantStatus: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got any
			w := prototest.Serve(testService(&got, tt.opts...), tt.req)
			if tt.wantCode != "" {
				var e struct {
					Code string `xml:"Error>Code"`
				}
				var s3e struct {
					Code string `xml:"Code"`
				}
				_ = xml.Unmarshal(w.Body.Bytes(), &e)
				_ = xml.Unmarshal(w.Body.Bytes(), &s3e)
				if (e.Code != tt.wantCode && s3e.Code != tt.wantCode) || w.Code != tt.wantStatus {
					t.Fatalf("got %d %s, want %d %q", w.Code, w.Body, tt.wantStatus, tt.wantCode)
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

// s3Options are the options S3 would use.
func s3Options() []Option {
	return []Option{
		WithNamespace("http://s3.amazonaws.com/doc/2006-03-01/"),
		WithNoErrorWrapping(),
		WithMethodNotAllowed(apierr.New("MethodNotAllowed", 405, "The specified method is not allowed against this resource.")),
		WithMalformedXML(apierr.New("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema")),
		WithInvalidArgument(apierr.New("InvalidArgument", 400, "")),
	}
}

type owner struct {
	DisplayName *string
	ID          *string
}

type bucket struct {
	Name         *string
	CreationDate *time.Time
}

type listBucketsOutput struct {
	_       struct{} `aws:"name=ListAllMyBucketsResult"`
	Buckets []bucket `aws:"member=Bucket"`
	Owner   *owner
}

type grant struct {
	Grantee    *grantee
	Permission *string
}

type grantee struct {
	Type *string `aws:"name=xsi:type,attr"`
	ID   *string
}

type thingOutput struct {
	_            struct{}          `aws:"name=ThingResult,xmlns=http://example.com/thing"`
	Status       *int32            `aws:"loc=status"`
	ETag         *string           `aws:"loc=header,locname=ETag"`
	LastModified *time.Time        `aws:"loc=header,locname=Last-Modified"`
	List         []int32           `aws:"loc=header,locname=X-List"`
	Meta         map[string]string `aws:"loc=headers,locname=x-amz-meta-"`
	Version      *string           `aws:"name=version,attr"`
	Name         *string
	Escaped      *string
	Count        int64
	Ratio        *float64
	Ok           *bool
	When         *time.Time
	Epoch        *time.Time `aws:"ts=unixTimestamp"`
	Blob         []byte
	Color        color
	Nested       *nested
	Grants       []grant `aws:"member=Grant"`
	Empty        []string
}

type untaggedOutput struct {
	Name *string
}

type payloadOutput struct {
	ETag    *string `aws:"loc=header,locname=ETag"`
	Tagging *nested `aws:"loc=payload,name=Tagging,xmlns=http://s3.amazonaws.com/doc/2006-03-01/"`
}

type rootedPayload struct {
	_    struct{} `aws:"name=CopyObjectResult"`
	ETag *string
}

type rootedPayloadOutput struct {
	Result *rootedPayload `aws:"loc=payload"`
}

type streamOutput struct {
	ContentLength *int64        `aws:"loc=header,locname=Content-Length"`
	ContentType   *string       `aws:"loc=header,locname=Content-Type"`
	Body          io.ReadCloser `aws:"loc=payload"`
}

type headersOnlyOutput struct {
	ETag *string `aws:"loc=header,locname=ETag"`
}

type noSuchKey struct {
	Key *string
}

type complexError struct {
	Header   *string `aws:"loc=header,locname=X-Header"`
	TopLevel *string
	Nested   *nested
}

func TestEncode(t *testing.T) {
	t.Parallel()
	full := &thingOutput{
		Status: ptr[int32](206), ETag: ptr(`"abc"`), LastModified: &t0, List: []int32{1, 2}, Meta: map[string]string{"owner": "me"},
		Version: ptr(`v"2`), Name: ptr("n"), Escaped: ptr("<&>\"'\n"), Count: 7, Ratio: ptr(math.NaN()), Ok: ptr(true), When: &t1, Epoch: &t0,
		Blob: []byte{0, 1}, Color: "red",
		Nested: &nested{Name: ptr("x"), Tags: []tag{{Key: ptr("k"), Value: ptr("v")}}, Flat: []string{"1", "2"},
			Attrs: map[string]string{"a": "b"}, Matrix: [][]int32{{1, 2}, {}}},
		Grants: []grant{{Grantee: &grantee{Type: ptr("CanonicalUser"), ID: ptr("id")}, Permission: ptr("READ")}},
		Empty:  []string{},
	}
	tests := []struct {
		name string
		op   awsproto.Operation
		opts []Option
	}{
		{name: "full", op: prototest.Op[struct{}]("Thing", "GET /x", 200, full, nil)},
		{name: "root from tag and namespace from protocol", opts: s3Options(), op: prototest.Op[struct{}]("ListBuckets", "GET /x", 200,
			&listBucketsOutput{Buckets: []bucket{{Name: ptr("a"), CreationDate: &t0}, {Name: ptr("b"), CreationDate: &t1}},
				Owner: &owner{ID: ptr("o")}}, nil)},
		{name: "empty list result", opts: s3Options(), op: prototest.Op[struct{}]("ListBuckets", "GET /x", 200, &listBucketsOutput{}, nil)},
		{name: "root from type name", op: prototest.Op[struct{}]("Untagged", "GET /x", 200, &untaggedOutput{Name: ptr("n")}, nil)},
		{name: "no body members", op: prototest.Op[struct{}]("Put", "PUT /x", 200, &headersOnlyOutput{ETag: ptr(`"e"`)}, nil)},
		{name: "empty output", op: prototest.Op[struct{}]("Nothing", "POST /x", 200, &struct{}{}, nil)},
		{name: "no content", op: prototest.Op[struct{}]("Delete", "DELETE /x", 204, &struct{}{}, nil)},
		{name: "head", op: prototest.Op[struct{}]("Head", "HEAD /x", 200, &streamOutput{ContentLength: ptr[int64](5), ContentType: ptr("text/plain")}, nil)},
		{name: "structure payload", op: prototest.Op[struct{}]("GetTagging", "GET /x", 200,
			&payloadOutput{ETag: ptr("e"), Tagging: &nested{Tags: []tag{{Key: ptr("k")}}}}, nil)},
		{name: "structure payload named by its type", opts: s3Options(), op: prototest.Op[struct{}]("CopyObject", "PUT /x", 200,
			&rootedPayloadOutput{Result: &rootedPayload{ETag: ptr("e")}}, nil)},
		{name: "absent structure payload", op: prototest.Op[struct{}]("GetTagging", "GET /x", 200, &payloadOutput{}, nil)},
		{name: "stream payload", op: prototest.Op[struct{}]("GetObject", "GET /x", 200,
			&streamOutput{ContentLength: ptr[int64](5), ContentType: ptr("text/plain"), Body: io.NopCloser(strings.NewReader("hello"))}, nil)},

		{name: "error wrapped", opts: []Option{WithNamespace("https://route53.amazonaws.com/doc/2013-04-01/")},
			op: prototest.Op[struct{}, struct{}]("Fail", "GET /x", 200, nil, apierr.New("NoSuchHostedZone", 404, "No hosted zone found with ID: Z1"))},
		{name: "error S3", opts: s3Options(), op: prototest.Op[struct{}, struct{}]("Fail", "GET /x", 200, nil,
			apierr.New("NoSuchKey", 404, "The specified key does not exist.").WithDetails(&noSuchKey{Key: ptr("a&b")}))},
		{name: "error with bindings", op: prototest.Op[struct{}, struct{}]("Fail", "GET /x", 200, nil,
			apierr.New("ComplexError", 403, "Hi").WithDetails(&complexError{Header: ptr("Header"), TopLevel: ptr("Top level"),
				Nested: &nested{Name: ptr("bar")}}))},
		{name: "fault", op: prototest.Op[struct{}, struct{}]("Fail", "GET /x", 200, nil, errors.New("disk on fire"))},
		{name: "error to head", opts: s3Options(), op: prototest.Op[struct{}, struct{}]("Fail", "HEAD /x", 200, nil,
			apierr.New("NoSuchKey", 404, "The specified key does not exist."))},
		{name: "text xml content type", opts: []Option{WithContentType("text/xml")}, op: prototest.Op[struct{}]("Untagged", "GET /x", 200, &untaggedOutput{Name: ptr("n")}, nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc := prototest.NewService(New(tt.opts...), tt.op)
			method, _, _ := strings.Cut(tt.op.HTTP, " ")
			w := prototest.Serve(svc, request{Method: method, Target: "/x"})
			body := w.Body.Bytes()
			if len(body) > 0 && strings.HasPrefix(w.Header().Get("Content-Type"), "application/xml") {
				// Every XML body is well-formed.
				d := xml.NewDecoder(strings.NewReader(string(body)))
				for {
					if _, err := d.Token(); err == io.EOF {
						break
					} else if err != nil {
						t.Fatalf("not well-formed: %v\n%s", err, body)
					}
				}
			}
			prototest.Golden(t, "encode/"+strings.ReplaceAll(tt.name, " ", "_"), prototest.Dump(w))
		})
	}
}

func TestUnknownOperationGolden(t *testing.T) {
	t.Parallel()
	svc := prototest.NewService(New(s3Options()...), prototest.Op[struct{}]("Get", "GET /{B}", 200, &struct{}{}, nil))
	prototest.Golden(t, "encode/method_not_allowed", prototest.Dump(prototest.Serve(svc, request{Method: "DELETE", Target: "/b"})))
	prototest.Golden(t, "encode/unknown_operation", prototest.Dump(prototest.Serve(svc, request{Method: "GET", Target: "/b/k"})))
}

func TestInitPanicsOnRootTag(t *testing.T) {
	t.Parallel()
	type badRoot struct {
		_ struct{} `aws:"name=X,flat"`
	}
	defer func() {
		if recover() == nil {
			t.Error("a root tag with an unknown key did not panic")
		}
	}()
	prototest.NewService(New(), prototest.Op[struct{}]("A", "GET /", 200, &badRoot{}, nil))
}

// FuzzDecode proves that no request, however malformed its path, query,
// headers or body, makes decoding panic, and that every failure is an
// *apierr.Error.
func FuzzDecode(f *testing.F) {
	f.Add("PUT", "/things/a/b?max-keys=1&id=2", "X-List", `a, "b`, `<a><Nested><Tags><Tag><Key>k</Key></Tag></Tags></Nested></a>`)
	f.Add("PUT", "/things/a%2F/b//c", "If-Modified-Since", "Mon, 16 Dec 2019", `<a><Epoch>1e400</Epoch><Blob>***</Blob></a>`)
	f.Add("PUT", "/b?tagging", "x-amz-meta-", "", `<Tagging><Attr><Name>a</Name></Attr><Matrix><member><member>x</member></member></Matrix></Tagging>`)
	f.Add("PUT", "/b/k", "Content-Type", "\x00", "\xff\xfe")
	f.Add("GET", "/", "x-amz-flag", "maybe", `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>`)
	f.Add("PUT", "/things/x/y", "x-amz-flag", "true", `<a version="1"><Ratio>NaN</Ratio><Count>9223372036854775808</Count></a>`)
	f.Fuzz(func(t *testing.T, method, target, hname, hvalue, body string) {
		var got any
		svc := testService(&got, s3Options()...)
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
		svc.Serve(c, httptest.NewRecorder())
	})
}
