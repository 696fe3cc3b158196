package xmlcodec

import (
	"bytes"
	"errors"
	"github.com/virga/virga/internal/awsproto/prototest"
	"math"
	"strings"
	"testing"
	"time"
)

type level string

func (level) Values() []string { return []string{"low", "high"} }

type tag struct {
	Key   *string
	Value *string
}

type grantee struct {
	Type *string `aws:"name=xsi:type,attr"`
	ID   *string
}

type doc struct {
	Attr    *string `aws:"name=id,attr"`
	Name    *string
	Count   *int32
	Big     uint64
	Ratio   *float64
	Ok      *bool
	When    *time.Time
	Epoch   *time.Time `aws:"ts=unixTimestamp"`
	Data    []byte
	Level   level
	Tags    []tag             `aws:"member=Tag"`
	Flat    []string          `aws:"flat,name=Item"`
	Plain   []string          // items in <member>
	Nested  [][]int32         // lists of lists
	Attrs   map[string]string // <entry><key/><value/></entry>
	Named   map[string]*tag   `aws:"key=Name,value=Tag"`
	FlatMap map[string]string `aws:"flat,name=Pair,key=K,value=V"`
	Grantee *grantee
	Self    *doc
	Header  *string `aws:"loc=header,locname=X-Name"`
}

func ptr[T any](v T) *T { return &v }

var t0 = time.Date(2019, 12, 16, 23, 48, 18, 0, time.UTC)

func TestUnmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    *doc
		wantErr string
	}{
		{
			name: "everything",
			in: `<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<Doc xmlns="http://example.com/" id="d1">
  <Name>a &amp; b</Name>
  <Count> 42 </Count>
  <Big>18446744073709551615</Big>
  <Ratio>NaN</Ratio>
  <Ok>true</Ok>
  <When>2019-12-16T23:48:18.000Z</When>
  <Epoch>1576540098</Epoch>
  <Data>aGk=</Data>
  <Level>high</Level>
  <Tags><Tag><Key>k1</Key><Value>v1</Value></Tag><Other>skipped</Other><Tag><Key>k2</Key></Tag></Tags>
  <Item>x</Item><Unknown><deep><deeper/></deep></Unknown><Item>y</Item>
  <Plain><member>p</member><member></member></Plain>
  <Nested><member><member>1</member><member>2</member></member><member></member></Nested>
  <Attrs><entry><key>a</key><value>1</value></entry><entry><value>2</value><key>b</key></entry></Attrs>
  <Named><entry><Name>n</Name><Tag><Key>k</Key></Tag></entry></Named>
  <Pair><K>x</K><V>1</V></Pair><Pair><K>y</K><V>2</V></Pair>
  <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>abc</ID></Grantee>
  <Self><Name>inner</Name><Self><Count>1</Count></Self></Self>
  <Header>not a body member</Header>
</Doc>`,
			want: &doc{
				Attr: ptr("d1"), Name: ptr("a & b"), Count: ptr[int32](42), Big: math.MaxUint64, Ratio: ptr(math.NaN()), Ok: ptr(true),
				When: &t0, Epoch: &t0, Data: []byte("hi"), Level: "high",
				Tags:    []tag{{Key: ptr("k1"), Value: ptr("v1")}, {Key: ptr("k2")}},
				Flat:    []string{"x", "y"},
				Plain:   []string{"p", ""},
				Nested:  [][]int32{{1, 2}, {}},
				Attrs:   map[string]string{"a": "1", "b": "2"},
				Named:   map[string]*tag{"n": {Key: ptr("k")}},
				FlatMap: map[string]string{"x": "1", "y": "2"},
				Grantee: &grantee{Type: ptr("CanonicalUser"), ID: ptr("abc")},
				Self:    &doc{Name: ptr("inner"), Self: &doc{Count: ptr[int32](1)}},
			},
		},
		{name: "empty document", in: "", want: &doc{}},
		{name: "white space only", in: " \n\t", want: &doc{}},
		{name: "empty root", in: "<Doc/>", want: &doc{}},
		{name: "empty string and empty list", in: "<Doc><Name></Name><Plain/></Doc>", want: &doc{Name: ptr(""), Plain: []string{}}},
		{name: "CDATA", in: "<Doc><Name><![CDATA[<x>]]></Name></Doc>", want: &doc{Name: ptr("<x>")}},
		{name: "offset timestamp", in: "<Doc><When>2019-12-17T00:48:18+01:00</When></Doc>", want: &doc{When: &t0}},
		{name: "root name is not checked", in: "<Anything><Name>n</Name></Anything>", want: &doc{Name: ptr("n")}},
		{name: "trailing comment", in: "<Doc/><!-- done -->\n", want: &doc{}},

		{name: "not XML", in: "{}", wantErr: "prolog"},
		{name: "unclosed", in: "<Doc><Name>x</Name>", wantErr: "EOF"},
		{name: "mismatched", in: "<Doc><Name>x</Nom></Doc>", wantErr: "syntax"},
		{name: "second root", in: "<Doc/><Doc/>", wantErr: "after the root"},
		{name: "text after root", in: "<Doc/>x", wantErr: "after the root"},
		{name: "bad integer", in: "<Doc><Count>4x</Count></Doc>", wantErr: "Long"},
		{name: "integer overflow", in: "<Doc><Count>9999999999</Count></Doc>", wantErr: "Long"},
		{name: "negative unsigned", in: "<Doc><Big>-1</Big></Doc>", wantErr: "Long"},
		{name: "empty integer", in: "<Doc><Count></Count></Doc>", wantErr: "empty"},
		{name: "bad boolean", in: "<Doc><Ok>yes</Ok></Doc>", wantErr: "Boolean"},
		{name: "bad timestamp", in: "<Doc><When>Mon, 16 Dec 2019 23:48:18 GMT</When></Doc>", wantErr: "Timestamp"},
		{name: "bad base64", in: "<Doc><Data>***</Data></Doc>", wantErr: "Blob"},
		{name: "element in a scalar", in: "<Doc><Name><b>x</b></Name></Doc>", wantErr: "Unexpected element"},
		{name: "map entry without key", in: "<Doc><Attrs><entry><value>1</value></entry></Attrs></Doc>", wantErr: "no key"},
		{name: "undefined entity", in: "<Doc><Name>&foo;</Name></Doc>", wantErr: "entity"},
		{name: "bad attribute", in: `<Doc><Grantee xsi:type="a" xsi:type="b"></Grantee></Doc>`, wantErr: ""},
		{name: "too deep", in: "<Doc>" + strings.Repeat("<Self>", MaxDepth+1) + strings.Repeat("</Self>", MaxDepth+1) + "</Doc>", wantErr: "too deeply"},
		{name: "too deep unknown", in: "<Doc>" + strings.Repeat("<x>", MaxDepth+1) + strings.Repeat("</x>", MaxDepth+1) + "</Doc>", wantErr: "too deeply"},
		{name: "non UTF-8 charset", in: `<?xml version="1.0" encoding="ISO-8859-1"?><Doc/>`, wantErr: "charset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got doc
			err := Unmarshal([]byte(tt.in), &got)
			if tt.want == nil {
				var de *DecodeError
				if tt.name == "bad attribute" {
					return // duplicate attributes: any outcome but a panic
				}
				if !errors.As(err, &de) {
					t.Fatalf("err = %T %v, want a *DecodeError", err, err)
				}
				if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tt.wantErr)) {
					t.Errorf("err = %q, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if prototest.Show(&got) != prototest.Show(tt.want) {
				t.Errorf("got\n%s\nwant\n%s", prototest.Show(&got), prototest.Show(tt.want))
			}
		})
	}
}

// TestRoundTrip checks that Unmarshal reads what WriteMembers writes.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	in := &doc{
		Attr: ptr("a<\"&"), Name: ptr("x < y & \"z\"\n\ttab"), Count: ptr[int32](-5), Big: 7, Ratio: ptr(math.Inf(1)), Ok: ptr(false),
		When: &t0, Epoch: ptr(t0.Add(500 * time.Millisecond)), Data: []byte{0, 255}, Level: "low",
		Tags: []tag{{Key: ptr("k"), Value: ptr("")}}, Flat: []string{"1", "2"}, Plain: []string{},
		Nested: [][]int32{{1}, {2, 3}}, Attrs: map[string]string{"a": "1", "b": ""},
		Named: map[string]*tag{"n": {Key: ptr("k")}}, FlatMap: map[string]string{"p": "q"},
		Grantee: &grantee{ID: ptr("id")},
		Self:    &doc{Name: ptr("child"), Flat: []string{"only"}},
	}
	var b bytes.Buffer
	b.WriteString("<Doc")
	// WriteMembers writes the children; the root's attribute is the caller's.
	b.WriteString(` id="a&lt;&#34;&amp;">`)
	WriteMembers(&b, in)
	b.WriteString("</Doc>")
	var out doc
	if err := Unmarshal(b.Bytes(), &out); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if prototest.Show(&out) != prototest.Show(in) {
		t.Errorf("round trip through\n%s\ngot\n%s\nwant\n%s", b.String(), prototest.Show(&out), prototest.Show(in))
	}
}

func TestUnmarshalNeedsPointer(t *testing.T) {
	t.Parallel()
	if err := Unmarshal([]byte("<a/>"), doc{}); err == nil {
		t.Error("Unmarshal into a value succeeded")
	}
	if err := Unmarshal([]byte("<a/>"), (*doc)(nil)); err == nil {
		t.Error("Unmarshal into nil succeeded")
	}
	var s string
	if err := Unmarshal([]byte("<a/>"), &s); err == nil {
		t.Error("Unmarshal into a string succeeded")
	}
}

// FuzzUnmarshal proves Unmarshal never panics, and fails only with a
// *DecodeError.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range []string{
		"", "<Doc/>", "<Doc><Name>x</Name><Count>1</Count></Doc>",
		`<Doc id="1"><Tags><Tag><Key>k</Key></Tag></Tags><Item>a</Item><Item>b</Item></Doc>`,
		"<Doc><Nested><member><member>1</member></member></Nested></Doc>",
		"<Doc><Attrs><entry><key>a</key><value>1</value></entry></Attrs><Pair><K>x</K><V>y</V></Pair></Doc>",
		"<Doc><Self><Self><Self/></Self></Self></Doc>",
		`<Doc><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"/></Doc>`,
		"<Doc><When>2019-12-16T23:48:18Z</When><Epoch>1.5</Epoch><Data>AA==</Data></Doc>",
		"<Doc><Named><entry><Name>n</Name><Tag><Value>v</Value></Tag></entry></Named></Doc>",
		"<Doc><Name>&lt;&#x41;</Name></Doc>", "<!DOCTYPE x><Doc/>", "<Doc>\xff</Doc>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v doc
		if err := Unmarshal(data, &v); err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %T %v", err, err)
			}
			return
		}
		// What decodes can be written back out.
		var b bytes.Buffer
		WriteMembers(&b, &v)
	})
}
