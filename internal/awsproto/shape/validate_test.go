package shape

import (
	"slices"
	"strings"
	"testing"
	"time"
)

type keyType string

func (keyType) Values() []string { return []string{"HASH", "RANGE"} }

type billingMode string

func (billingMode) Values() []string { return []string{"PROVISIONED", "PAY_PER_REQUEST"} }

type keySchemaElement struct {
	AttributeName *string  `aws:"required,min=1,max=255"`
	KeyType       *keyType `aws:"required"`
}

type sseSpecification struct {
	Enabled *bool   `aws:"required"`
	KMSKey  *string `aws:"name=KMSMasterKeyId,min=1"`
}

type projection struct {
	NonKeyAttributes []string `aws:"min=1,max=20"`
}

type index struct {
	IndexName  *string            `aws:"required,min=3,max=255" pattern:"[a-zA-Z0-9_.-]+"`
	KeySchema  []keySchemaElement `aws:"required,min=1,max=2"`
	Projection *projection        `aws:"required"`
}

// createTable is a DynamoDB-like input covering every constraint kind.
type createTable struct {
	TableName  *string            `aws:"required,min=3,max=255" pattern:"[a-zA-Z0-9_.-]+"`
	KeySchema  []keySchemaElement `aws:"required,min=1,max=2"`
	Indexes    []*index
	Billing    *billingMode
	Modes      []billingMode
	Limit      *int32   `aws:"min=1,max=100"`
	Segment    *int64   `aws:"min=0,max=999999"`
	Unsigned   *uint16  `aws:"min=2"`
	Ratio      *float64 `aws:"min=0.5,max=1.5"`
	Tags       map[string]string
	Attrs      map[string]*keySchemaElement `aws:"max=2"`
	Key        []byte                       `aws:"min=1,max=4"`
	Names      []string                     `aws:"max=2"`
	Counts     []*int32                     `aws:"max=1"`
	SSE        *sseSpecification            `aws:"name=SSESpecification"`
	Header     *string                      `aws:"loc=header,locname=X-Amz-Target,required"`
	Ignored    *time.Time
	EmptyOK    *string `aws:"max=0"`
	unexported *string //nolint:unused // never validated
}

func strp(s string) *string { return &s }

func validTable() *createTable {
	h, r := keyType("HASH"), keyType("RANGE")
	return &createTable{
		TableName: strp("Music"),
		KeySchema: []keySchemaElement{{AttributeName: strp("Artist"), KeyType: &h}, {AttributeName: strp("Song"), KeyType: &r}},
		Header:    strp("DynamoDB_20120810.CreateTable"),
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	i32 := func(v int32) *int32 { return &v }
	i64 := func(v int64) *int64 { return &v }
	u16 := func(v uint16) *uint16 { return &v }
	f64 := func(v float64) *float64 { return &v }
	bm := func(v billingMode) *billingMode { return &v }
	kt := func(v keyType) *keyType { return &v }
	tests := []struct {
		name   string
		mutate func(*createTable)
		want   []string // "Value X at 'path' failed to satisfy constraint: C"
	}{
		{"valid", func(*createTable) {}, nil},
		{"required missing", func(c *createTable) { c.TableName = nil },
			[]string{"Value null at 'tableName' failed to satisfy constraint: Member must not be null"}},
		{"required list missing", func(c *createTable) { c.KeySchema = nil },
			[]string{"Value null at 'keySchema' failed to satisfy constraint: Member must not be null"}},
		{"required header", func(c *createTable) { c.Header = nil },
			[]string{"Value null at 'header' failed to satisfy constraint: Member must not be null"}},
		{"empty string is present", func(c *createTable) { c.TableName = strp("") }, []string{
			"Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3",
			"Value '' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
		}},
		{"string too long", func(c *createTable) { c.TableName = strp(strings.Repeat("a", 256)) }, []string{
			"Value '" + strings.Repeat("a", 256) + "' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255",
		}},
		{"length counts characters, not bytes", func(c *createTable) {
			c.EmptyOK = strp("")
			c.KeySchema[0].AttributeName = strp(strings.Repeat("é", 255))
		}, nil},
		{"pattern", func(c *createTable) { c.TableName = strp("my table") }, []string{
			"Value 'my table' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
		}},
		{"empty list", func(c *createTable) { c.KeySchema = []keySchemaElement{} }, []string{
			"Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		{"list of strings too long", func(c *createTable) { c.Names = []string{"a", "b", "c"} }, []string{
			"Value '[a, b, c]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 2",
		}},
		{"list of pointers too long", func(c *createTable) { c.Counts = []*int32{i32(1), i32(2)} }, []string{
			"Value '[1, 2]' at 'counts' failed to satisfy constraint: Member must have length less than or equal to 1",
		}},
		{"map too long", func(c *createTable) {
			c.Attrs = map[string]*keySchemaElement{"a": nil, "b": nil, "c": nil}
		}, []string{"' at 'attrs' failed to satisfy constraint: Member must have length less than or equal to 2"}},
		{"blob length", func(c *createTable) { c.Key = []byte{} }, []string{
			"Value 'java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]' at 'key' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		{"blob too long", func(c *createTable) { c.Key = []byte("12345") }, []string{
			"Value 'java.nio.HeapByteBuffer[pos=0 lim=5 cap=5]' at 'key' failed to satisfy constraint: Member must have length less than or equal to 4",
		}},
		{"int32 value", func(c *createTable) { c.Limit = i32(0) }, []string{
			"Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
		}},
		{"int32 zero pointer is present", func(c *createTable) { c.Limit = i32(101) }, []string{
			"Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100",
		}},
		{"int64 value", func(c *createTable) { c.Segment = i64(-1) }, []string{
			"Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0",
		}},
		{"int64 bounds inclusive", func(c *createTable) { c.Segment = i64(999999); c.Limit = i32(1) }, nil},
		{"unsigned value", func(c *createTable) { c.Unsigned = u16(1) }, []string{
			"Value '1' at 'unsigned' failed to satisfy constraint: Member must have value greater than or equal to 2",
		}},
		{"float value", func(c *createTable) { c.Ratio = f64(1.75) }, []string{
			"Value '1.75' at 'ratio' failed to satisfy constraint: Member must have value less than or equal to 1.5",
		}},
		{"float min", func(c *createTable) { c.Ratio = f64(0.25) }, []string{
			"Value '0.25' at 'ratio' failed to satisfy constraint: Member must have value greater than or equal to 0.5",
		}},
		{"enum", func(c *createTable) { c.Billing = bm("FREE") }, []string{
			"Value 'FREE' at 'billing' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]",
		}},
		{"enum ok", func(c *createTable) { c.Billing = bm("PAY_PER_REQUEST") }, nil},
		{"enum in list", func(c *createTable) { c.Modes = []billingMode{"PROVISIONED", "NOPE"} }, []string{
			"Value 'NOPE' at 'modes.2.member' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]",
		}},
		{"nested required in list", func(c *createTable) { c.KeySchema[0].AttributeName = nil }, []string{
			"Value null at 'keySchema.1.member.attributeName' failed to satisfy constraint: Member must not be null",
		}},
		{"nested enum in list", func(c *createTable) { c.KeySchema[1].KeyType = kt("SORT") }, []string{
			"Value 'SORT' at 'keySchema.2.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]",
		}},
		{"nested length in list", func(c *createTable) { c.KeySchema[1].AttributeName = strp("") }, []string{
			"Value '' at 'keySchema.2.member.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		// A list element sent as {} is present: its required members are
		// missing. AWS answers "Value null at 'keySchema.1.member.attributeName'".
		{"empty struct element of a list", func(c *createTable) { c.KeySchema = []keySchemaElement{{}} }, []string{
			"Value null at 'keySchema.1.member.attributeName' failed to satisfy constraint: Member must not be null",
			"Value null at 'keySchema.1.member.keyType' failed to satisfy constraint: Member must not be null",
		}},
		{"pointer list elements, deep path", func(c *createTable) {
			c.Indexes = []*index{nil, {IndexName: strp("ix"), KeySchema: []keySchemaElement{{KeyType: kt("HASH")}}, Projection: &projection{NonKeyAttributes: []string{}}}}
		}, []string{
			"Value 'ix' at 'indexes.2.member.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3",
			"Value null at 'indexes.2.member.keySchema.1.member.attributeName' failed to satisfy constraint: Member must not be null",
			"Value '[]' at 'indexes.2.member.projection.nonKeyAttributes' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		{"nested struct, renamed member", func(c *createTable) { c.SSE = &sseSpecification{KMSKey: strp("")} }, []string{
			"Value null at 'sSESpecification.enabled' failed to satisfy constraint: Member must not be null",
			"Value '' at 'sSESpecification.kMSMasterKeyId' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		{"several errors in member order", func(c *createTable) {
			c.TableName = nil
			c.KeySchema = nil
			c.Limit = i32(0)
		}, []string{
			"Value null at 'tableName' failed to satisfy constraint: Member must not be null",
			"Value null at 'keySchema' failed to satisfy constraint: Member must not be null",
			"Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
		}},
		{"unconstrained members are ignored", func(c *createTable) {
			c.Tags = map[string]string{"": ""}
			c.Ignored = &time.Time{}
			c.unexported = strp("")
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := validTable()
			tt.mutate(c)
			vs := Validate(c)
			var got []string
			for _, v := range vs {
				got = append(got, "Value "+v.Value+" at '"+v.Path+"' failed to satisfy constraint: "+v.Constraint)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d violations, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			// Violations of one member may come in any order; across
			// members they follow member order. A want may be a suffix.
			used := make([]bool, len(tt.want))
			for i, g := range got {
				if pathOf(g) != pathOf(tt.want[i]) {
					t.Errorf("violation %d is at %q, want %q:\n%s", i, pathOf(g), pathOf(tt.want[i]), strings.Join(got, "\n"))
					continue
				}
				j := slices.IndexFunc(tt.want, func(w string) bool { return strings.HasSuffix(g, w) && pathOf(w) == pathOf(g) })
				for j >= 0 && used[j] {
					k := slices.IndexFunc(tt.want[j+1:], func(w string) bool { return strings.HasSuffix(g, w) && pathOf(w) == pathOf(g) })
					if k < 0 {
						j = -1
					} else {
						j += 1 + k
					}
				}
				if j < 0 {
					t.Errorf("unexpected violation %d: %s", i, g)
					continue
				}
				used[j] = true
			}
		})
	}
}

func pathOf(msg string) string {
	_, rest, _ := strings.Cut(msg, " at '")
	path, _, _ := strings.Cut(rest, "'")
	return path
}

func TestValidateValueOrPointer(t *testing.T) {
	t.Parallel()
	if vs := Validate((*createTable)(nil)); vs != nil {
		t.Errorf("Validate(nil) = %v", vs)
	}
	c := validTable()
	c.TableName = nil
	byValue, byPtr := Validate(*c), Validate(&c)
	if len(byValue) != 1 || len(byPtr) != 1 || byValue[0] != byPtr[0] {
		t.Errorf("Validate(value) = %v, Validate(**T) = %v", byValue, byPtr)
	}
}

func TestMessage(t *testing.T) {
	t.Parallel()
	null := Violation{Path: "tableName", Value: "null", Constraint: "Member must not be null"}
	enum := Violation{Path: "keySchema.1.member.keyType", Value: "'SORT'", Constraint: "Member must satisfy enum value set: [HASH, RANGE]"}
	long := Violation{Path: "limit", Value: "'0'", Constraint: "Member must have value greater than or equal to 1"}
	tests := []struct {
		vs   []Violation
		want string
	}{
		{[]Violation{null}, "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"},
		{[]Violation{null, enum}, "2 validation errors detected: " +
			"Value null at 'tableName' failed to satisfy constraint: Member must not be null; " +
			"Value 'SORT' at 'keySchema.1.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]"},
		{[]Violation{null, enum, long}, "3 validation errors detected: " +
			"Value null at 'tableName' failed to satisfy constraint: Member must not be null; " +
			"Value 'SORT' at 'keySchema.1.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]; " +
			"Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
	}
	for _, tt := range tests {
		if got := Message(tt.vs); got != tt.want {
			t.Errorf("Message:\n got  %s\n want %s", got, tt.want)
		}
	}
	// End to end: Validate then Message.
	c := validTable()
	c.TableName = nil
	if got, want := Message(Validate(c)), tests[0].want; got != want {
		t.Errorf("Message(Validate):\n got  %s\n want %s", got, want)
	}
}
