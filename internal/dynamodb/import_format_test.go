package dynamodb

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/virga/virga/internal/dynamodb/attr"
)

// importTestTable is the table the import readers' tests read into: a
// string partition key p, a number sort key c, and a GSI on g.
func importTestTable(t testing.TB) *table {
	t.Helper()
	tb, err := newTable(&CreateTableInput{TableName: ptr("imp"), BillingMode: ptr(BillingMode("PAY_PER_REQUEST")),
		AttributeDefinitions: []AttributeDefinition{
			{AttributeName: ptr("p"), AttributeType: ptr(ScalarAttributeType("S"))},
			{AttributeName: ptr("c"), AttributeType: ptr(ScalarAttributeType("N"))},
			{AttributeName: ptr("g"), AttributeType: ptr(ScalarAttributeType("B"))}},
		KeySchema: []KeySchemaElement{{AttributeName: ptr("p"), KeyType: ptr(KeyType("HASH"))},
			{AttributeName: ptr("c"), KeyType: ptr(KeyType("RANGE"))}},
		GlobalSecondaryIndexes: []GlobalSecondaryIndex{{IndexName: ptr("byG"),
			KeySchema:  []KeySchemaElement{{AttributeName: ptr("g"), KeyType: ptr(KeyType("HASH"))}},
			Projection: &Projection{ProjectionType: ptr(ProjectionType("ALL"))}}},
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// readCounts are what reading an object counted, with the first error
// it reported.
type readCounts struct {
	importCounts
	firstError string
	// reported is how many errors were reported, and badIndex whether
	// one was reported at an index past the items read before it.
	reported int64
	badIndex bool
}

// readAll reads one object and returns the counts and the items put.
func readAll(t testing.TB, f *importFormat, tb *table, body []byte) (readCounts, []attr.Item) {
	var c readCounts
	c.onError = func(index int64, msg string) {
		if c.firstError == "" {
			c.firstError = msg
		}
		c.reported++
		c.badIndex = c.badIndex || index < 0 || index >= c.processed
	}
	var items []attr.Item
	err := f.readObject(bytes.NewReader(body), tb, &c.importCounts, func(it attr.Item) error {
		items = append(items, it)
		return nil
	})
	if err != nil {
		t.Fatalf("readObject: %v", err)
	}
	return c, items
}

// checkCounts holds for any input: every item read is imported or an
// error, at most one error per object, and every item put is valid.
func checkCounts(t testing.TB, tb *table, c readCounts, items []attr.Item) {
	t.Helper()
	if c.processed != c.imported+c.errors || c.errors > 1 || int64(len(items)) != c.imported {
		t.Fatalf("counts %+v with %d items", c.importCounts, len(items))
	}
	if c.reported != c.errors || c.badIndex {
		t.Fatalf("%d errors reported for %d counted (an index out of range: %v)", c.reported, c.errors, c.badIndex)
	}
	for _, it := range items {
		if err := checkImportItem(tb, it); err != nil {
			t.Fatalf("an invalid item was imported: %v", err)
		}
	}
}

func TestImportJSONLines(t *testing.T) {
	tb := importTestTable(t)
	f := &importFormat{format: "DYNAMODB_JSON", compression: "NONE"}
	cases := []struct {
		name, body               string
		imported, errors, length int64
	}{
		{"two items and blank lines", `{"Item":{"p":{"S":"a"},"c":{"N":"1"}}}` + "\n\n  \r\n" + `{"Item":{"p":{"S":"a"},"c":{"N":"2"},"g":{"B":"AAE="}}}`, 2, 0, 0},
		{"no Item abandons the rest", `{"Item":{"p":{"S":"a"},"c":{"N":"1"}}}` + "\n{\"Other\":{}}\n" + `{"Item":{"p":{"S":"a"},"c":{"N":"2"}}}`, 1, 1, 0},
		{"missing sort key", `{"Item":{"p":{"S":"a"}}}`, 0, 1, 0},
		{"key of the wrong type", `{"Item":{"p":{"S":"a"},"c":{"S":"1"}}}`, 0, 1, 0},
		{"index key of the wrong type", `{"Item":{"p":{"S":"a"},"c":{"N":"1"},"g":{"S":"x"}}}`, 0, 1, 0},
		{"empty attribute name", `{"Item":{"p":{"S":"a"},"c":{"N":"1"},"":{"S":"v"}}}`, 0, 1, 0},
		{"truncated JSON", `{"Item": `, 0, 1, 0},
		{"two types in a value", `{"Item":{"p":{"S":"a","N":"1"},"c":{"N":"1"}}}`, 0, 1, 0},
		{"bad number", `{"Item":{"p":{"S":"a"},"c":{"N":"1e999"}}}`, 0, 1, 0},
		{"empty object", ``, 0, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, items := readAll(t, f, tb, []byte(tc.body))
			checkCounts(t, tb, c, items)
			if c.imported != tc.imported || c.errors != tc.errors {
				t.Errorf("imported %d, errors %d (%s); want %d, %d", c.imported, c.errors, c.firstError, tc.imported, tc.errors)
			}
			if c.bytes != int64(len(tc.body)) {
				t.Errorf("bytes %d, want %d", c.bytes, len(tc.body))
			}
		})
	}
}

func TestImportGzip(t *testing.T) {
	tb := importTestTable(t)
	body := `{"Item":{"p":{"S":"a"},"c":{"N":"1"}}}` + "\n"
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(body))
	zw.Close()
	c, _ := readAll(t, &importFormat{format: "DYNAMODB_JSON", compression: "GZIP"}, tb, buf.Bytes())
	if c.imported != 1 || c.bytes != int64(len(body)) {
		t.Errorf("gzip: %+v", c)
	}
	// Not gzip at all: one error.
	c, _ = readAll(t, &importFormat{format: "DYNAMODB_JSON", compression: "GZIP"}, tb, []byte(body))
	if c.errors != 1 {
		t.Errorf("plain text as gzip: %+v", c)
	}
}

func TestImportZstd(t *testing.T) {
	tb := importTestTable(t)
	body := `{"Item":{"p":{"S":"a"},"c":{"N":"1"}}}` + "\n" + `{"Item":{"p":{"S":"b"},"c":{"N":"2"}}}` + "\n"
	zw, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	packed := zw.EncodeAll([]byte(body), nil)
	zw.Close()
	c, _ := readAll(t, &importFormat{format: "DYNAMODB_JSON", compression: "ZSTD"}, tb, packed)
	if c.imported != 2 || c.bytes != int64(len(body)) {
		t.Errorf("zstd: %+v", c)
	}
	c, _ = readAll(t, &importFormat{format: "DYNAMODB_JSON", compression: "ZSTD"}, tb, []byte(body))
	if c.errors != 1 || c.imported != 0 {
		t.Errorf("plain text as zstd: %+v", c)
	}
}

func TestImportCSV(t *testing.T) {
	tb := importTestTable(t)
	cases := []struct {
		name      string
		f         importFormat
		body      string
		imported  int64
		errors    int64
		wantFirst string
	}{
		{"header line", importFormat{delimiter: ','}, "p,c,x\na,1,hello\nb,2,\n", 2, 0, `{"c":1,"p":"a","x":"hello"}`},
		{"header list", importFormat{delimiter: '\t', header: []string{"c", "p"}}, "1\ta\n", 1, 0, `{"c":1,"p":"a"}`},
		{"quoted", importFormat{delimiter: '|'}, "p|c|x\n\"a|b\"|1|\"say \"\"hi\"\"\"\n", 1, 0, `{"c":1,"p":"a|b","x":"say \"hi\""}`},
		{"binary key", importFormat{delimiter: ','}, "p,c,g\na,1,AAE=\n", 1, 0, ""},
		{"bad number key", importFormat{delimiter: ','}, "p,c\na,one\n", 0, 1, ""},
		{"bad binary key", importFormat{delimiter: ','}, "p,c,g\na,1,%%%\n", 0, 1, ""},
		{"missing key", importFormat{delimiter: ','}, "p,c\na,\n", 0, 1, ""},
		{"short record", importFormat{delimiter: ','}, "p,c,x\na,1\n", 0, 1, ""},
		{"duplicate header", importFormat{delimiter: ','}, "p,p\na,b\n", 0, 1, ""},
		{"bare quote", importFormat{delimiter: ','}, "p,c\na\"b,1\n", 0, 1, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			f.format, f.compression = "CSV", "NONE"
			c, items := readAll(t, &f, tb, []byte(tc.body))
			checkCounts(t, tb, c, items)
			if c.imported != tc.imported || c.errors != tc.errors {
				t.Errorf("imported %d, errors %d (%s); want %d, %d", c.imported, c.errors, c.firstError, tc.imported, tc.errors)
			}
			if tc.wantFirst != "" && len(items) > 0 {
				if got := itemText(items[0]); got != tc.wantFirst {
					t.Errorf("first item %s, want %s", got, tc.wantFirst)
				}
			}
		})
	}
}

// TestImportCSVRecordLimit: a CSV record is bounded like a JSON line. A
// longer one is the object's one error, found without reading the record
// whole; one within the bound is read (and here refused for its size).
func TestImportCSVRecordLimit(t *testing.T) {
	tb := importTestTable(t)
	f := &importFormat{format: "CSV", compression: "NONE", delimiter: ','}
	for _, tc := range []struct {
		name, field, message string
	}{
		{"longer than the bound", strings.Repeat("y", 3*maxImportLine), "longer than"},
		{"a quoted field over many lines", `"` + strings.Repeat("y\n", 2*maxImportLine) + `"`, "longer than"},
		{"within the bound", strings.Repeat("y", maxImportLine-64), "Item size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := "p,c,x\na,1," + tc.field + "\nb,2,z\n"
			c, items := readAll(t, f, tb, []byte(body))
			checkCounts(t, tb, c, items)
			if c.errors != 1 || c.imported != 0 || !strings.Contains(c.firstError, tc.message) {
				t.Errorf("imported %d, errors %d (%s); want 0, 1 (%s)", c.imported, c.errors, c.firstError, tc.message)
			}
			if c.bytes > 2*maxImportLine {
				t.Errorf("read %d bytes of a %d-byte object for one record", c.bytes, len(body))
			}
		})
	}
}

// itemText renders an item compactly for comparison: names in order,
// numbers bare, strings quoted.
func itemText(it attr.Item) string {
	var b strings.Builder
	b.WriteByte('{')
	names := make([]string, 0, len(it))
	for name := range it {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		v := it[name]
		switch v.Type() {
		case attr.TypeN:
			b.WriteString(`"` + name + `":` + v.N().String())
		default:
			b.WriteString(`"` + name + `":"` + strings.ReplaceAll(v.S(), `"`, `\"`) + `"`)
		}
	}
	b.WriteByte('}')
	return b.String()
}

// FuzzImportJSONLines feeds any bytes to the DYNAMODB_JSON reader: it
// never panics, and what it imports is valid.
func FuzzImportJSONLines(f *testing.F) {
	for _, s := range []string{
		`{"Item":{"p":{"S":"a"},"c":{"N":"1"}}}`,
		`{"Item":{"p":{"S":"a"},"c":{"N":"1"},"m":{"M":{"l":{"L":[{"NULL":true},{"BOOL":false},{"SS":["x","y"]}]}}}}}` + "\n\n",
		`{"Item":{"p":{"S":"a"},"c":{"N":"1"},"g":{"B":"AAE="},"bs":{"BS":["AA==","AQ=="]},"ns":{"NS":["1","2.5"]}}}`,
		"{\"NotAnItem\":{}}\n{\"Item\":",
		"\n  \n",
		`{"Item":{"p":{"S":""},"c":{"N":"-0"}}}`,
	} {
		f.Add([]byte(s))
	}
	tb := importTestTable(f)
	format := &importFormat{format: "DYNAMODB_JSON", compression: "NONE"}
	f.Fuzz(func(t *testing.T, body []byte) {
		c, items := readAll(t, format, tb, body)
		checkCounts(t, tb, c, items)
	})
}

// FuzzImportCSV feeds any bytes and delimiters to the CSV reader.
func FuzzImportCSV(f *testing.F) {
	for _, s := range []struct {
		body  string
		delim byte
	}{
		{"p,c,x\na,1,hello\n", ','},
		{"p;c;g\na;1;AAE=\nb;2;\n", ';'},
		{"p\tc\n\"a\tb\"\t3\n", '\t'},
		{"p c\na 1e3\n", ' '},
		{"p|c\n\"unterminated|1\n", '|'},
		{"p:c:p\n", ':'},
	} {
		f.Add([]byte(s.body), s.delim)
	}
	tb := importTestTable(f)
	f.Fuzz(func(t *testing.T, body []byte, delim byte) {
		if !strings.ContainsRune(",;:|\t ", rune(delim)) {
			return // CsvOptions.Delimiter's pattern: [,;:|\t ]
		}
		format := &importFormat{format: "CSV", compression: "NONE", delimiter: rune(delim)}
		c, items := readAll(t, format, tb, body)
		checkCounts(t, tb, c, items)
	})
}

// TestImportErrorIndex: an invalid item is reported with its index among
// its object's items, blank lines not counted.
func TestImportErrorIndex(t *testing.T) {
	tb := importTestTable(t)
	var got []string
	c := importCounts{onError: func(index int64, msg string) { got = append(got, fmt.Sprintf("%d %s", index, msg)) }}
	body := `{"Item":{"p":{"S":"a"},"c":{"N":"1"}}}` + "\n\n" + `{"Item":{"p":{"S":"b"},"c":{"N":"2"}}}` + "\n" +
		`{"Item":{"p":{"S":"c"}}}` + "\n" + `{"Item":{"p":{"S":"d"},"c":{"N":"4"}}}` + "\n"
	f := &importFormat{format: "DYNAMODB_JSON", compression: "NONE"}
	if err := f.readObject(strings.NewReader(body), tb, &c, func(attr.Item) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "2 One or more parameter values were invalid: Missing the key c in the item" {
		t.Errorf("errors reported: %q", got)
	}
}
