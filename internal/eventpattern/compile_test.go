package eventpattern

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// compileErrorCase is a pattern its dialect refuses, with AWS's message.
type compileErrorCase struct {
	name    string
	pattern string
	want    string // the whole message, as Error() returns it
}

func runCompileErrorCases(t *testing.T, d Dialect, cases []compileErrorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := Compile([]byte(tc.pattern), d)
			if err == nil {
				t.Fatalf("Compile(%s) = %v, want error %q", tc.pattern, p, tc.want)
			}
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Compile(%s) error %T %v, want *Error", tc.pattern, err, err)
			}
			if perr.Dialect != d {
				t.Errorf("Error.Dialect = %v, want %v", perr.Dialect, d)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("Compile(%s)\n got %q\nwant %q", tc.pattern, got, tc.want)
			}
		})
	}
}

func TestCompileEventBridgeErrors(t *testing.T) {
	t.Parallel()
	const p = "Event pattern is not valid. Reason: "
	runCompileErrorCases(t, EventBridge, []compileErrorCase{
		// Structure.
		{"not JSON", `{"source":`, p + "Invalid JSON"},
		{"trailing data", `{"a":["x"]} x`, p + "Invalid JSON"},
		{"too deep", strings.Repeat("[", maxNesting+1) + strings.Repeat("]", maxNesting+1), p + "Invalid JSON"},
		{"not an object", `["a"]`, p + "Filter is not an object"},
		{"empty pattern", `{}`, p + "Empty objects are not allowed"},
		{"empty nested object", `{"detail":{}}`, p + "Empty objects are not allowed"},
		{"bare string value", `{"source":"aws.ec2"}`, p + `"source" must be an object or an array`},
		{"bare nested value", `{"detail":{"lenderId":"LenderA"}}`, p + `"lenderId" must be an object or an array`},
		{"empty array", `{"source":[]}`, p + "Empty arrays are not allowed"},
		{"array in array", `{"source":[["a"]]}`, p + "Match value must be String, number, true, false, or null"},
		{"repeated leaf", `{"a":["x"],"a":["y"]}`, p + "Path `a` cannot be allowed multiple times"},
		{"repeated nested leaf", `{"d":{"a":["x"]},"d":{"a":["y"]}}`, p + "Path `d.a` cannot be allowed multiple times"},
		// Match expressions.
		{"empty expression", `{"a":[{}]}`, p + "Match expression name not found"},
		{"unknown expression", `{"a":[{"contains":"x"}]}`, p + "Unrecognized match type contains"},
		{"two keys", `{"a":[{"prefix":"x","suffix":"y"}]}`, p + "Only one key allowed in match expression"},
		{"prefix not a string", `{"a":[{"prefix":1}]}`, p + "prefix match pattern must be a string"},
		{"prefix checked before extra keys", `{"a":[{"prefix":1,"x":1}]}`, p + "prefix match pattern must be a string"},
		{"prefix object empty", `{"a":[{"prefix":{}}]}`, p + "Prefix expression name not found"},
		{"prefix object unknown", `{"a":[{"prefix":{"wildcard":"x"}}]}`, p + "Unsupported prefix pattern: wildcard"},
		{"prefix ignore-case not a string", `{"a":[{"prefix":{"equals-ignore-case":1}}]}`, p + "equals-ignore-case match pattern must be a string"},
		{"prefix ignore-case two keys", `{"a":[{"prefix":{"equals-ignore-case":"x","y":1}}]}`, p + "Only one key allowed in match expression"},
		{"suffix not a string", `{"a":[{"suffix":null}]}`, p + "suffix match pattern must be a string"},
		{"suffix object unknown", `{"a":[{"suffix":{"prefix":"x"}}]}`, p + "Unsupported suffix pattern: prefix"},
		{"suffix object empty", `{"a":[{"suffix":{}}]}`, p + "Suffix expression name not found"},
		{"equals-ignore-case not a string", `{"a":[{"equals-ignore-case":["x"]}]}`, p + "equals-ignore-case match pattern must be a string"},
		{"wildcard not a string", `{"a":[{"wildcard":1}]}`, p + "wildcard match pattern must be a string"},
		{"consecutive wildcards", `{"a":[{"wildcard":"a**"}]}`, p + "Consecutive wildcard characters at pos 2"},
		{"bad escape", `{"a":[{"wildcard":"a\\b"}]}`, p + "Invalid escape character at pos 2"},
		{"trailing backslash", `{"a":[{"wildcard":"ab\\"}]}`, p + "Invalid escape character at pos 3"},
		{"exists not a bool", `{"a":[{"exists":"true"}]}`, p + "exists match pattern must be either true or false."},
		{"exists two keys", `{"a":[{"exists":true,"x":1}]}`, p + "Only one key allowed in match expression"},
		// Numeric.
		{"numeric not an array", `{"a":[{"numeric":5}]}`, p + "Value of numeric must be an array."},
		{"numeric empty", `{"a":[{"numeric":[]}]}`, p + "Invalid member in numeric match: ]"},
		{"numeric starts with a number", `{"a":[{"numeric":[5]}]}`, p + "Invalid member in numeric match: 5"},
		{"numeric starts with an object", `{"a":[{"numeric":[{}]}]}`, p + "Invalid member in numeric match: {"},
		{"numeric starts with true", `{"a":[{"numeric":[true]}]}`, p + "Invalid member in numeric match: true"},
		{"numeric starts with null", `{"a":[{"numeric":[null]}]}`, p + "Invalid member in numeric match: null"},
		{"numeric starts with an array", `{"a":[{"numeric":[[]]}]}`, p + "Invalid member in numeric match: ["},
		{"numeric bad second value false", `{"a":[{"numeric":[">",0,false]}]}`, p + "Bad value in numeric range: false"},
		{"numeric unknown operator", `{"a":[{"numeric":["!=",5]}]}`, p + "Unrecognized numeric range operator: !="},
		{"numeric equals not a number", `{"a":[{"numeric":["=","5"]}]}`, p + "Value of equals must be numeric"},
		{"numeric operand missing", `{"a":[{"numeric":[">"]}]}`, p + "Value of > must be numeric"},
		{"numeric equals too long", `{"a":[{"numeric":["=",5,"<",6]}]}`, p + "Too many elements in numeric expression"},
		{"numeric upper bound first", `{"a":[{"numeric":["<",5,">",0]}]}`, p + "Too many elements in numeric expression"},
		{"numeric bad second value", `{"a":[{"numeric":[">",0,5]}]}`, p + "Bad value in numeric range: 5"},
		{"numeric bad second operator", `{"a":[{"numeric":[">",0,">",5]}]}`, p + "Bad numeric range operator: >"},
		{"numeric second operand missing", `{"a":[{"numeric":[">",0,"<="]}]}`, p + "Value of <= must be numeric"},
		{"numeric too many terms", `{"a":[{"numeric":[">",0,"<",5,"x"]}]}`, p + "Too many terms in numeric range expression"},
		{"numeric empty range", `{"a":[{"numeric":[">=",5,"<=",5]}]}`, p + "Bottom must be less than top"},
		{"numeric inverted range", `{"a":[{"numeric":[">",5,"<",1]}]}`, p + "Bottom must be less than top"},
		{"numeric out of range", `{"a":[{"numeric":[">",5000000001]}]}`, p + "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{"numeric upper out of range", `{"a":[{"numeric":[">",0,"<",-6e9]}]}`, p + "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{"numeric too many decimals", `{"a":[{"numeric":["=",0.0000001]}]}`, p + "Only values upto 6 decimals are supported"},
		{"numeric two keys", `{"a":[{"numeric":[">",0],"x":1}]}`, p + "Too many elements in numeric expression"},
		// Anything-but.
		{"anything-but bool", `{"a":[{"anything-but":true}]}`, p + "Value of anything-but must be an array or single string/number value."},
		{"anything-but null in list", `{"a":[{"anything-but":["a",null]}]}`, p + "Inside anything but list, start|null|boolean is not supported."},
		{"anything-but mixed list", `{"a":[{"anything-but":["a",1]}]}`, p + "Inside anything but list, either all values are number or string, mixed type is not supported"},
		{"anything-but empty list", `{"a":[{"anything-but":[]}]}`, p + "Inside anything but list, either all values are number or string, mixed type is not supported"},
		{"anything-but number out of range", `{"a":[{"anything-but":[1e10]}]}`, p + "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{"anything-but empty object", `{"a":[{"anything-but":{}}]}`, p + "Anything-But expression name not found"},
		{"anything-but unknown", `{"a":[{"anything-but":{"numeric":[">",1]}}]}`, p + "Unsupported anything-but pattern: numeric"},
		{"anything-but prefix bool", `{"a":[{"anything-but":{"prefix":true}}]}`, p + "Value of anything-but must be an array or single string/number value."},
		{"anything-but prefix number", `{"a":[{"anything-but":{"prefix":5}}]}`, p + "prefix/suffix match pattern must be a string"},
		{"anything-but prefix empty", `{"a":[{"anything-but":{"prefix":""}}]}`, p + "Null prefix/suffix not allowed"},
		{"anything-but suffix empty in list", `{"a":[{"anything-but":{"suffix":["x",""]}}]}`, p + "Null prefix/suffix not allowed"},
		{"anything-but ignore-case number", `{"a":[{"anything-but":{"equals-ignore-case":[1]}}]}`, p + "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."},
		{"anything-but wildcard number", `{"a":[{"anything-but":{"wildcard":1}}]}`, p + "wildcard match pattern must be a string"},
		{"anything-but wildcard bad", `{"a":[{"anything-but":{"wildcard":"**"}}]}`, p + "Consecutive wildcard characters at pos 1"},
		{"anything-but inner two keys", `{"a":[{"anything-but":{"prefix":"a","suffix":"b"}}]}`, p + "Too many elements in numeric expression"},
		{"anything-but outer two keys", `{"a":[{"anything-but":"a","prefix":"b"}]}`, p + "Too many elements in numeric expression"},
		// CIDR.
		{"cidr not a string", `{"a":[{"cidr":1}]}`, p + "prefix match pattern must be a string"},
		{"cidr without slash", `{"a":[{"cidr":"10.0.0.0"}]}`, p + "Malformed CIDR, one '/' required"},
		{"cidr two slashes", `{"a":[{"cidr":"10.0.0.0/8/8"}]}`, p + "Malformed CIDR, one '/' required"},
		{"cidr mask not a number", `{"a":[{"cidr":"10.0.0.0/x"}]}`, p + "Malformed CIDR, mask bits must be an integer"},
		{"cidr negative mask", `{"a":[{"cidr":"10.0.0.0/-1"}]}`, p + "Malformed CIDR, mask bits must not be negative"},
		{"cidr host name", `{"a":[{"cidr":"example.com/8"}]}`, p + "Nonstandard IP address: example.com"},
		{"cidr bad address", `{"a":[{"cidr":"10.0.0.256/8"}]}`, p + "Invalid IP address: 10.0.0.256"},
		{"cidr IPv4 /32", `{"a":[{"cidr":"10.0.0.1/32"}]}`, p + "IPv4 mask bits must be < 32"},
		{"cidr IPv6 /128", `{"a":[{"cidr":"2001:db8::1/128"}]}`, p + "IPv6 mask bits must be < 128"},
		// $or: a malformed one is an ordinary field called "$or".
		{"$or of one object", `{"$or":[{"a":["x"]}]}`, p + "Unrecognized match type a"},
		{"$or with a reserved name deep inside", `{"$or":[{"a":{"b":{"exists":["x"]}}},{"c":["y"]}]}`, p + "Unrecognized match type a"},
		{"$or not an array", `{"$or":"x"}`, p + `"$or" must be an object or an array`},
		{"$or with an empty branch", `{"$or":[{"a":["x"]},{}]}`, p + "Empty objects are not allowed"},
		{"$or branch with a bad leaf", `{"$or":[{"a":["x"]},{"b":[]}]}`, p + "Empty arrays are not allowed"},
	})
}

func TestCompileSNSErrors(t *testing.T) {
	t.Parallel()
	const p = "Invalid parameter: FilterPolicy: "
	keys := func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"k%d":["v"]`, i)
		}
		b.WriteString("}")
		return b.String()
	}
	values := func(n int) string {
		vs := make([]string, n)
		for i := range vs {
			vs[i] = fmt.Sprintf(`"v%d"`, i)
		}
		return "[" + strings.Join(vs, ",") + "]"
	}
	shared := []compileErrorCase{
		{"not JSON", `{invalidjson}`, p + "failed to parse JSON."},
		{"not an object", `"x"`, p + "Filter is not an object"},
		{"empty array", `{"Amount":[]}`, p + "Empty arrays are not allowed"},
		{"bare value", `{"store":"x"}`, p + `"store" must be an object or an array`},
		{"array in array", `{"store":[["example_corp"]]}`, p + "Match value must be String, number, true, false, or null"},
		{"wildcard is not SNS", `{"a":[{"wildcard":"a*"}]}`, p + "Unrecognized match type wildcard"},
		{"anything-but wildcard is not SNS", `{"a":[{"anything-but":{"wildcard":"a*"}}]}`, p + "Unsupported anything-but pattern: wildcard"},
		{"exists not a bool", `{"a":[{"exists":1}]}`, p + "exists match pattern must be either true or false."},
		{"unknown match type", `{"a":[{"foo":1}]}`, p + "Unrecognized match type foo"},
		{"numeric beyond SNS's range", `{"a":[{"numeric":["<",1000000001]}]}`, p + "Value must be between -1.0E9 and 1.0E9, inclusive"},
		{"six keys", keys(6), p + "Filter policy can not have more than 5 keys"},
		{"six keys through $or", `{"a":["1"],"b":["1"],"c":["1"],"$or":[{"d":["1"]},{"e":["1"],"f":["1"]}]}`, p + "Filter policy can not have more than 5 keys"},
		{"151 combinations in one array", `{"store":` + values(151) + `}`, p + "Filter policy is too complex"},
		{"151 combinations across arrays", `{"a":` + values(2) + `,"b":` + values(2) + `,"c":` + values(38) + `}`, p + "Filter policy is too complex"},
		{"151 combinations across $or", `{"a":` + values(2) + `,"$or":[{"b":` + values(50) + `},{"c":` + values(26) + `}]}`, p + "Filter policy is too complex"},
		{"too long", `{"a":["` + strings.Repeat("x", snsMaxPolicyBytes) + `"]}`, p + "Filter policy is too long"},
	}
	runCompileErrorCases(t, SNSMessageAttributes, append(shared,
		compileErrorCase{"nested", `{"store":{"name":["x"]}}`, "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"},
		compileErrorCase{"nested in $or", `{"$or":[{"a":["x"]},{"b":{"c":["y"]}}]}`, "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"},
		// A malformed member is reported before the nesting (AWS's answers).
		compileErrorCase{"operator as a nested key", `{"key":{"suffix":"value"}}`, p + `"suffix" must be an object or an array`},
		compileErrorCase{"bare value in a nested object", `{"key":{"not-an-operator":"value"}}`, p + `"not-an-operator" must be an object or an array`},
	))
	runCompileErrorCases(t, SNSMessageBody, append(shared,
		// AWS multiplies each array's count by its depth: (6 x 3) x (5 x 3).
		compileErrorCase{"nested combinations", `{"a":{"b":{"c":` + values(6) + `}},"d":{"e":{"f":` + values(5) + `}}}`, p + "Filter policy is too complex"},
		compileErrorCase{"empty nested object", `{"store":{}}`, p + "Empty objects are not allowed"},
	))
}

func TestCompileSNSLimitsAccepted(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		dialect Dialect
		policy  string
	}{
		{"five keys", SNSMessageAttributes, `{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"]}`},
		{"150 values", SNSMessageAttributes, `{"store":[` + strings.TrimSuffix(strings.Repeat(`"x",`, 150), ",") + `]}`},
		// AWS's example: "3 x 4 x 2 x 3 = 72".
		{"AWS's nested example", SNSMessageBody, `{"key_a":{"key_b":{"key_c":["value_one","value_two","value_three","value_four"]}},
			"key_d":{"key_e":["value_one","value_two","value_three"]}}`},
		// Only top-level keys count for payload-based filtering.
		{"nested keys do not count", SNSMessageBody, `{"state":["SUCCESS"],"severity":[{"exists":true}],"message":[{"exists":true}],
			"finding":{"standard_control":[{"exists":true}],"region":[{"exists":true}],"account":[{"exists":true}]}}`},
		{"empty policy", SNSMessageAttributes, `{}`},
		{"numbers at SNS's limit", SNSMessageAttributes, `{"a":[{"numeric":[">=",-1e9,"<=",1e9]}]}`},
		{"more decimals than SNS keeps", SNSMessageAttributes, `{"a":[{"numeric":["=",0.1234567]}]}`},
		{"prefix ignoring case", SNSMessageBody, `{"a":[{"prefix":{"equals-ignore-case":"x"}}]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := Compile([]byte(tc.policy), tc.dialect); err != nil {
				t.Errorf("Compile(%s, %v): %v", tc.policy, tc.dialect, err)
			}
		})
	}
}

func TestCompileEventBridgeAccepted(t *testing.T) {
	t.Parallel()
	for _, pattern := range []string{
		`{"a":[{"numeric":[">=",-5e9,"<=",5e9]}]}`,
		`{"a":[{"numeric":["=",0.000001]}]}`,
		`{"a":[{"numeric":["=",1.5000000]}]}`, // trailing zeros are not decimals
		`{"a":[123456789012345678901234567890]}`,
		`{"a":[{"cidr":"2001:db8::/127"}]}`,
		`{"a":[{"anything-but":{"prefix":[]}}]}`,
		`{"a":[{"wildcard":""}]}`,
		`{"a":[{"wildcard":"\\*\\\\"}]}`,
		`{"$or":[{"a":["x"]},{"b":["y"]}],"$or":[{"c":["x"]},{"d":["y"]}]}`,
		`{"a":["x"],"a":{"b":["y"]}}`,
	} {
		t.Run(pattern, func(t *testing.T) {
			t.Parallel()
			if _, err := Compile([]byte(pattern), EventBridge); err != nil {
				t.Errorf("Compile(%s): %v", pattern, err)
			}
		})
	}
}

func TestCompileUnknownDialect(t *testing.T) {
	t.Parallel()
	_, err := Compile([]byte(`{"a":["x"]}`), Dialect(0))
	var perr *Error
	if err == nil || errors.As(err, &perr) {
		t.Fatalf("Compile with Dialect(0) = %v, want a plain error", err)
	}
}

func TestErrorReasonIsBare(t *testing.T) {
	t.Parallel()
	_, err := Compile([]byte(`{"a":"x"}`), EventBridge)
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("Compile error %v, want *Error", err)
	}
	if want := `"a" must be an object or an array`; perr.Reason != want {
		t.Errorf("Reason = %q, want %q", perr.Reason, want)
	}
}

func TestDialectString(t *testing.T) {
	t.Parallel()
	for d, want := range map[Dialect]string{
		EventBridge:          "EventBridge",
		SNSMessageAttributes: "SNS MessageAttributes",
		SNSMessageBody:       "SNS MessageBody",
		Dialect(9):           "Dialect(9)",
	} {
		if got := d.String(); got != want {
			t.Errorf("Dialect(%d).String() = %q, want %q", int(d), got, want)
		}
	}
}
