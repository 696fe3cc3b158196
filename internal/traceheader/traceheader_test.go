package traceheader

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

func TestField(t *testing.T) {
	t.Parallel()
	h := "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8; Sampled=1;Lineage=a87bd80c:1"
	for key, want := range map[string]string{"Root": "1-5759e988-bd862e3fe1be46a994272793", "Sampled": "1", "Lineage": "a87bd80c:1", "Self": ""} {
		if got := Field(h, key); got != want {
			t.Errorf("Field(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestWith(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, key, value, want string }{
		{"Root=r;Parent=p;Sampled=1", "Lineage", "a:0", "Root=r;Parent=p;Sampled=1;Lineage=a:0"},
		{"Root=r;Lineage=a:0;Sampled=1", "Lineage", "a:1", "Root=r;Lineage=a:1;Sampled=1"},
		{"Root=r;Lineage=a:0", "Lineage", "", "Root=r"},
		{"", "Lineage", "a:0", "Lineage=a:0"},
		{"Root=r;;Lineage=a:0;Lineage=b:0", "Lineage", "c:2", "Root=r;Lineage=c:2"},
	}
	for _, c := range cases {
		if got := With(c.in, c.key, c.value); got != c.want {
			t.Errorf("With(%q, %q, %q) = %q, want %q", c.in, c.key, c.value, got, c.want)
		}
	}
}

func TestParseLineage(t *testing.T) {
	t.Parallel()
	good := map[string]Lineage{
		"":                                 nil,
		"a87bd80c:1":                       {{Hash: "a87bd80c", Count: 1}},
		"1:fe460cdd:0":                     {{Version: "1", Hash: "fe460cdd"}},
		"a87bd80c:1|68fd508a:5|c512fbe3:2": {{Hash: "a87bd80c", Count: 1}, {Hash: "68fd508a", Count: 5}, {Hash: "c512fbe3", Count: 2}},
		"aae260cf:0%7C74085691:3":          {{Hash: "aae260cf"}, {Hash: "74085691", Count: 3}},
		"foo:1|bar:65535":                  {{Hash: "foo", Count: 1}, {Hash: "bar", Count: 65535}},
	}
	for in, want := range good {
		got, err := ParseLineage(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseLineage(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"a87bd80c", "a87bd80c:", ":1", "a:-1", "a:65536", "a:1|", "x:a:1", "1:2:3:4", "a-b:1", "a:1 ", "a:0x1"} {
		if got, err := ParseLineage(in); err == nil {
			t.Errorf("ParseLineage(%q) = %v, want an error", in, got)
		}
	}
}

func TestLineageSetAndMerge(t *testing.T) {
	t.Parallel()
	l, _ := ParseLineage("1:a:0|b:3")
	if got := l.Set("a", 1).String(); got != "1:a:1|b:3" {
		t.Errorf("Set existing = %q", got)
	}
	if got := l.Set("c", 0).String(); got != "1:a:0|b:3|c:0" {
		t.Errorf("Set new = %q", got)
	}
	if got := l.Set("b", MaxCount+7).String(); got != "1:a:0|b:65535" {
		t.Errorf("Set saturates = %q", got)
	}
	if l.String() != "1:a:0|b:3" {
		t.Errorf("Set changed its receiver: %q", l.String())
	}
	o, _ := ParseLineage("b:5|a:0|d:1")
	if got := l.Merge(o).String(); got != "1:a:0|b:5|d:1" {
		t.Errorf("Merge = %q", got)
	}
}

// FuzzParseLineage checks that whatever ParseLineage accepts it formats
// back to a value it parses to the same lineage.
func FuzzParseLineage(f *testing.F) {
	for _, s := range []string{"a87bd80c:1", "1:fe460cdd:0", "a87bd80c:1|68fd508a:5|c512fbe3:2", "aae260cf:0%7C74085691:3", "foo:1|bar:65535", "", "a:", "::", "|", "%7c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLineage(s)
		if err != nil {
			return
		}
		again, err := ParseLineage(l.String())
		if err != nil {
			t.Fatalf("ParseLineage(%q) = %v, whose String %q does not parse: %v", s, l, l.String(), err)
		}
		if len(l) > 0 && !reflect.DeepEqual(again, l) {
			t.Fatalf("round trip of %q: %v became %v", s, l, again)
		}
		for _, e := range l {
			if n, ok := l.Set(e.Hash, e.Count+1).Count(e.Hash); !ok || n != min(e.Count+1, MaxCount) {
				t.Fatalf("Set(%q) lost its count", e.Hash)
			}
		}
	})
}

// NewRoot writes the epoch seconds as 8 hex digits, padded, and what it
// makes is a valid root.
func TestNewRoot(t *testing.T) {
	for _, now := range []time.Time{time.Unix(0, 0), time.Unix(1700000000, 0)} {
		r := NewRoot(now, "0123456789abcdef01234567")
		if !ValidRoot(r) || r[2:10] != fmt.Sprintf("%08x", now.Unix()) {
			t.Errorf("NewRoot(%v) = %q", now, r)
		}
	}
	if ValidRoot("1-5759e988-bd862e3fe1be46a99427279z") || ValidRoot("") || !ValidRoot("1-5759E988-BD862E3FE1BE46A994272793") {
		t.Error("ValidRoot")
	}
}
