package eventpattern

import (
	"encoding/json"
	"math"
	"testing"
)

// matchCase is one pattern matched against one JSON event.
type matchCase struct {
	name    string
	pattern string
	event   string
	want    bool
}

func runMatchCases(t *testing.T, d Dialect, cases []matchCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := Compile([]byte(tc.pattern), d)
			if err != nil {
				t.Fatalf("Compile(%s): %v", tc.pattern, err)
			}
			if got := p.Match([]byte(tc.event)); got != tc.want {
				t.Errorf("pattern %s\nevent   %s\nMatch = %v, want %v", tc.pattern, tc.event, got, tc.want)
			}
		})
	}
}

func TestMatchEventBridgeExactValues(t *testing.T) {
	t.Parallel()
	runMatchCases(t, EventBridge, []matchCase{
		{"string equal", `{"source":["aws.ec2"]}`, `{"source":"aws.ec2"}`, true},
		{"string differs", `{"source":["aws.ec2"]}`, `{"source":"aws.s3"}`, false},
		{"string is case-sensitive", `{"source":["aws.ec2"]}`, `{"source":"AWS.EC2"}`, false},
		{"one of several strings", `{"source":["aws.ec2","aws.fargate"]}`, `{"source":"aws.fargate"}`, true},
		{"empty string", `{"LastName":[""]}`, `{"LastName":""}`, true},
		{"number equal", `{"n":[5]}`, `{"n":5}`, true},
		{"number equal in another spelling", `{"n":[300]}`, `{"n":300.0}`, true},
		{"number equal in exponent form", `{"n":[300]}`, `{"n":3e2}`, true},
		{"number differs", `{"n":[5]}`, `{"n":6}`, false},
		{"number does not match string", `{"n":[5]}`, `{"n":"5"}`, false},
		{"string does not match number", `{"n":["5"]}`, `{"n":5}`, false},
		{"number outside the numeric range compares as text", `{"account":[123456789012]}`, `{"account":123456789012}`, true},
		{"number outside the numeric range in another spelling", `{"account":[123456789012]}`, `{"account":1.23456789012e11}`, false},
		{"true", `{"b":[true]}`, `{"b":true}`, true},
		{"true is not the string", `{"b":[true]}`, `{"b":"true"}`, false},
		{"false is not true", `{"b":[false]}`, `{"b":true}`, false},
		{"null", `{"v":[null]}`, `{"v":null}`, true},
		{"null is not missing", `{"v":[null]}`, `{}`, false},
		{"null is not empty string", `{"v":[null]}`, `{"v":""}`, false},
		{"ip address in another spelling", `{"ip":["2001:db8::1"]}`, `{"ip":"2001:0db8:0:0::1"}`, true},
		{"mixed value kinds", `{"v":["a",1,true,null]}`, `{"v":true}`, true},
	})
}

func TestMatchEventBridgeStructure(t *testing.T) {
	t.Parallel()
	employees := `{"employees":[
		{"firstName":"John","lastName":"Doe"},
		{"firstName":"Anna","lastName":"Smith"},
		{"firstName":"Peter","lastName":"Jones"}]}`
	runMatchCases(t, EventBridge, []matchCase{
		{"all fields must match", `{"source":["aws.ec2"],"detail-type":["x"]}`, `{"source":"aws.ec2","detail-type":"x"}`, true},
		{"one field fails", `{"source":["aws.ec2"],"detail-type":["x"]}`, `{"source":"aws.ec2","detail-type":"y"}`, false},
		{"missing field", `{"source":["aws.ec2"]}`, `{"detail":{}}`, false},
		{"nested field", `{"detail":{"state":["running"]}}`, `{"detail":{"state":"running","other":1}}`, true},
		{"nested field differs", `{"detail":{"state":["running"]}}`, `{"detail":{"state":"stopped"}}`, false},
		{"nested parent missing", `{"detail":{"state":["running"]}}`, `{"source":"x"}`, false},
		{"nested parent is a string", `{"detail":{"state":["running"]}}`, `{"detail":"running"}`, false},
		{"leaf meets an object", `{"detail":["x"]}`, `{"detail":{"x":1}}`, false},
		{"event array intersects", `{"resources":["b"]}`, `{"resources":["a","b"]}`, true},
		{"event array misses", `{"resources":["c"]}`, `{"resources":["a","b"]}`, false},
		{"empty event array", `{"resources":["a"]}`, `{"resources":[]}`, false},
		{"nested event arrays", `{"resources":["b"]}`, `{"resources":[["a",["b"]]]}`, true},
		{"array of objects", `{"employees":{"firstName":["Anna"]}}`, employees, true},
		{"fields from different elements do not combine", `{"employees":{"firstName":["Anna"],"lastName":["Jones"]}}`, employees, false},
		{"fields from one element", `{"employees":{"firstName":["Anna"],"lastName":["Smith"]}}`, employees, true},
		{"arrays of arrays of objects", `{"e":{"n":["Peter"]}}`, `{"e":[[{"n":"John"}],[{"n":"Peter"}]]}`, true},
		{"deep nesting", `{"a":{"b":{"c":{"d":[1]}}}}`, `{"a":{"b":{"c":{"d":1}}}}`, true},
		{"several matchers in one leaf", `{"v":["a",{"prefix":"b"},{"numeric":[">",5]}]}`, `{"v":7}`, true},
		{"several matchers in one leaf, none matches", `{"v":["a",{"prefix":"b"},{"numeric":[">",5]}]}`, `{"v":"c"}`, false},
		{"repeated object keys combine", `{"a":{"b":["1"]},"a":{"c":["2"]}}`, `{"a":{"b":"1","c":"2"}}`, true},
		{"repeated object keys both apply", `{"a":{"b":["1"]},"a":{"c":["2"]}}`, `{"a":{"b":"1"}}`, false},
		{"leaf and object under one key", `{"a":["x"],"a":{"b":["y"]}}`, `{"a":["x",{"b":"y"}]}`, true},
		{"dotted names are plain names", `{"a.b":["x"]}`, `{"a":{"b":"x"}}`, false},
		{"event is not an object", `{"a":["x"]}`, `[{"a":"x"}]`, false},
		{"event is not JSON", `{"a":["x"]}`, `{"a":"x"`, false},
		{"event has trailing data", `{"a":["x"]}`, `{"a":"x"} {}`, false},
	})
}

func TestMatchEventBridgeStringMatchers(t *testing.T) {
	t.Parallel()
	runMatchCases(t, EventBridge, []matchCase{
		{"prefix", `{"time":[{"prefix":"2017-10-02"}]}`, `{"time":"2017-10-02T18:43:48Z"}`, true},
		{"prefix misses", `{"time":[{"prefix":"2017-10-02"}]}`, `{"time":"2017-10-03T18:43:48Z"}`, false},
		{"prefix is case-sensitive", `{"s":[{"prefix":"Event"}]}`, `{"s":"eventbridge"}`, false},
		{"prefix ignores numbers", `{"n":[{"prefix":"1"}]}`, `{"n":12}`, false},
		{"empty prefix matches any string", `{"s":[{"prefix":""}]}`, `{"s":"anything"}`, true},
		{"empty prefix does not match a number", `{"s":[{"prefix":""}]}`, `{"s":1}`, false},
		{"prefix ignoring case", `{"s":[{"prefix":{"equals-ignore-case":"EventB"}}]}`, `{"s":"eventbridge"}`, true},
		{"prefix ignoring case misses", `{"s":[{"prefix":{"equals-ignore-case":"EventB"}}]}`, `{"s":"eventcatalog"}`, false},
		{"prefix ignoring case, non-ASCII", `{"s":[{"prefix":{"equals-ignore-case":"ÉCO"}}]}`, `{"s":"école"}`, true},
		{"prefix ignoring case, value too short", `{"s":[{"prefix":{"equals-ignore-case":"abc"}}]}`, `{"s":"AB"}`, false},
		{"suffix", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"cat.png"}`, true},
		{"suffix misses", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"cat.PNG"}`, false},
		{"suffix ignoring case", `{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}`, `{"FileName":"cat.PNG"}`, true},
		{"suffix ignoring case misses", `{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}`, `{"FileName":"cat.jpg"}`, false},
		{"equals-ignore-case", `{"Name":[{"equals-ignore-case":"alice"}]}`, `{"Name":"ALICE"}`, true},
		{"equals-ignore-case misses", `{"Name":[{"equals-ignore-case":"alice"}]}`, `{"Name":"alicia"}`, false},
		{"equals-ignore-case ignores numbers", `{"Name":[{"equals-ignore-case":"1"}]}`, `{"Name":1}`, false},
		{"wildcard", `{"source":[{"wildcard":"Simple*Service"}]}`, `{"source":"SimpleNotificationService"}`, true},
		{"wildcard matches an empty run", `{"source":[{"wildcard":"Simple*Service"}]}`, `{"source":"SimpleService"}`, true},
		{"wildcard misses", `{"source":[{"wildcard":"Simple*Service"}]}`, `{"source":"SimpleServices"}`, false},
		{"wildcard at both ends", `{"p":[{"wildcard":"*/lib/*"}]}`, `{"p":"/usr/lib/libc.so"}`, true},
		{"wildcard parts in order", `{"p":[{"wildcard":"a*b*c"}]}`, `{"p":"axxbyyc"}`, true},
		{"wildcard parts out of order", `{"p":[{"wildcard":"a*b*c"}]}`, `{"p":"acb"}`, false},
		{"wildcard anchors may not overlap", `{"p":[{"wildcard":"ab*ab"}]}`, `{"p":"ab"}`, false},
		{"wildcard repeated part", `{"p":[{"wildcard":"*ab*ab"}]}`, `{"p":"abab"}`, true},
		{"wildcard without star is exact", `{"p":[{"wildcard":"abc"}]}`, `{"p":"abcd"}`, false},
		{"wildcard escaped star is literal", `{"p":[{"wildcard":"a\\*b"}]}`, `{"p":"a*b"}`, true},
		{"wildcard escaped star is not a wildcard", `{"p":[{"wildcard":"a\\*b"}]}`, `{"p":"axb"}`, false},
		{"wildcard escaped backslash", `{"p":[{"wildcard":"a\\\\*"}]}`, `{"p":"a\\bc"}`, true},
		{"wildcard ignores numbers", `{"p":[{"wildcard":"1*"}]}`, `{"p":12}`, false},
	})
}

func TestMatchEventBridgeAnythingBut(t *testing.T) {
	t.Parallel()
	runMatchCases(t, EventBridge, []matchCase{
		{"string", `{"state":[{"anything-but":"initializing"}]}`, `{"state":"running"}`, true},
		{"string excluded", `{"state":[{"anything-but":"initializing"}]}`, `{"state":"initializing"}`, false},
		{"missing field does not match", `{"state":[{"anything-but":"initializing"}]}`, `{}`, false},
		{"string exclusion matches a number", `{"state":[{"anything-but":"5"}]}`, `{"state":5}`, true},
		{"string exclusion matches null", `{"state":[{"anything-but":"x"}]}`, `{"state":null}`, true},
		{"array with another value", `{"state":[{"anything-but":"initializing"}]}`, `{"state":["initializing","running"]}`, true},
		{"array of excluded values", `{"state":[{"anything-but":"initializing"}]}`, `{"state":["initializing"]}`, false},
		{"number", `{"x":[{"anything-but":123}]}`, `{"x":124}`, true},
		{"number excluded in another spelling", `{"x":[{"anything-but":123}]}`, `{"x":123.0}`, false},
		{"number exclusion matches a string", `{"x":[{"anything-but":123}]}`, `{"x":"123"}`, true},
		{"list of strings", `{"state":[{"anything-but":["stopped","overloaded"]}]}`, `{"state":"running"}`, true},
		{"list of strings excluded", `{"state":[{"anything-but":["stopped","overloaded"]}]}`, `{"state":"overloaded"}`, false},
		{"list of numbers", `{"x":[{"anything-but":[100,200,300]}]}`, `{"x":250}`, true},
		{"list of numbers excluded", `{"x":[{"anything-but":[100,200,300]}]}`, `{"x":200}`, false},
		{"prefix", `{"state":[{"anything-but":{"prefix":"init"}}]}`, `{"state":"running"}`, true},
		{"prefix excluded", `{"state":[{"anything-but":{"prefix":"init"}}]}`, `{"state":"initializing"}`, false},
		{"prefix exclusion matches a number", `{"state":[{"anything-but":{"prefix":"1"}}]}`, `{"state":12}`, true},
		{"list of prefixes", `{"r":[{"anything-but":{"prefix":["us-","eu-"]}}]}`, `{"r":"eu-west-1"}`, false},
		{"suffix", `{"f":[{"anything-but":{"suffix":".png"}}]}`, `{"f":"a.jpg"}`, true},
		{"suffix excluded", `{"f":[{"anything-but":{"suffix":".png"}}]}`, `{"f":"a.png"}`, false},
		{"ignoring case", `{"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]}`, `{"state":"running"}`, true},
		{"ignoring case excluded", `{"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]}`, `{"state":"INITIALIZING"}`, false},
		{"ignoring case, list", `{"state":[{"anything-but":{"equals-ignore-case":["a","b"]}}]}`, `{"state":"B"}`, false},
		{"wildcard", `{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}`, `{"FilePath":"/usr/bin/ls"}`, true},
		{"wildcard excluded", `{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}`, `{"FilePath":"/usr/lib/x"}`, false},
		{"empty prefix list excludes nothing", `{"f":[{"anything-but":{"prefix":[]}}]}`, `{"f":"a"}`, true},
	})
}

func TestMatchEventBridgeNumeric(t *testing.T) {
	t.Parallel()
	const rng = `{"c":[{"numeric":[">",0,"<=",5]}]}`
	runMatchCases(t, EventBridge, []matchCase{
		{"inside range", rng, `{"c":3}`, true},
		{"upper bound is inclusive", rng, `{"c":5}`, true},
		{"lower bound is exclusive", rng, `{"c":0}`, false},
		{"just above the lower bound", rng, `{"c":0.000001}`, true},
		{"just above the upper bound", rng, `{"c":5.000001}`, false},
		{"strings are not numbers", rng, `{"c":"3"}`, false},
		{"missing field", rng, `{}`, false},
		{"any element of an array", rng, `{"c":[10,4]}`, true},
		{"less than", `{"c":[{"numeric":["<",10]}]}`, `{"c":9.999}`, true},
		{"less than, at the bound", `{"c":[{"numeric":["<",10]}]}`, `{"c":10}`, false},
		{"at least", `{"c":[{"numeric":[">=",10]}]}`, `{"c":10}`, true},
		{"at most", `{"c":[{"numeric":["<=",10]}]}`, `{"c":10.5}`, false},
		{"equals in exponent form", `{"x":[{"numeric":["=",3.018e2]}]}`, `{"x":301.8}`, true},
		{"equals", `{"x":[{"numeric":["=",5]}]}`, `{"x":5.0}`, true},
		{"equals misses", `{"x":[{"numeric":["=",5]}]}`, `{"x":5.1}`, false},
		{"decimals compare exactly", `{"x":[{"numeric":["=",0.3]}]}`, `{"x":0.30}`, true},
		{"negative zero", `{"x":[{"numeric":[">",-1,"<",1]}]}`, `{"x":-0}`, true},
		{"negative range", `{"x":[{"numeric":[">=",-10,"<",-5]}]}`, `{"x":-7.5}`, true},
		{"at the limit of the numeric range", `{"x":[{"numeric":[">",0]}]}`, `{"x":5e9}`, true},
		{"beyond the numeric range", `{"x":[{"numeric":[">",0]}]}`, `{"x":6e9}`, false},
		{"tiny exponent", `{"x":[{"numeric":[">",0]}]}`, `{"x":1e-999999999}`, true},
	})
}

func TestMatchEventBridgeExists(t *testing.T) {
	t.Parallel()
	runMatchCases(t, EventBridge, []matchCase{
		{"exists true, present", `{"detail":{"c":[{"exists":true}]}}`, `{"detail":{"c":1}}`, true},
		{"exists true, missing", `{"detail":{"c":[{"exists":true}]}}`, `{"detail":{}}`, false},
		{"exists true, null is a value", `{"c":[{"exists":true}]}`, `{"c":null}`, true},
		{"exists true, an object is not a leaf", `{"c":[{"exists":true}]}`, `{"c":{"c1":100}}`, false},
		{"exists true, empty array", `{"c":[{"exists":true}]}`, `{"c":[]}`, false},
		{"exists true, array", `{"c":[{"exists":true}]}`, `{"c":[1]}`, true},
		{"exists false, missing", `{"detail":{"c":[{"exists":false}]}}`, `{"detail":{"state":"x"}}`, true},
		{"exists false, present", `{"detail":{"c":[{"exists":false}]}}`, `{"detail":{"c":"x"}}`, false},
		{"exists false, an object is not a leaf", `{"detail":{"c":[{"exists":false}]}}`, `{"detail":{"c":{"c1":100}}}`, true},
		{"exists false, parent missing", `{"detail":{"c":[{"exists":false}]}}`, `{}`, true},
		{"exists false, parent is a string", `{"detail":{"c":[{"exists":false}]}}`, `{"detail":"x"}`, true},
		{"exists false, one element lacks it", `{"a":{"b":[{"exists":false}]}}`, `{"a":[{"b":1},{"c":2}]}`, true},
		{"exists false, every element has it", `{"a":{"b":[{"exists":false}]}}`, `{"a":[{"b":1}]}`, false},
		{"exists false or a value, missing", `{"v":[{"exists":false},"x"]}`, `{}`, true},
		{"exists false or a value, the value", `{"v":[{"exists":false},"x"]}`, `{"v":"x"}`, true},
		{"exists false or a value, another value", `{"v":[{"exists":false},"x"]}`, `{"v":"y"}`, false},
		{"exists beside other fields", `{"source":["a"],"detail":{"c":[{"exists":false}]}}`, `{"source":"b"}`, false},
	})
}

func TestMatchEventBridgeCIDR(t *testing.T) {
	t.Parallel()
	const v4 = `{"ip":[{"cidr":"10.0.0.0/24"}]}`
	const v6 = `{"ip":[{"cidr":"2001:db8::/32"}]}`
	runMatchCases(t, EventBridge, []matchCase{
		{"inside", v4, `{"ip":"10.0.0.255"}`, true},
		{"first address", v4, `{"ip":"10.0.0.0"}`, true},
		{"outside", v4, `{"ip":"10.0.1.0"}`, false},
		{"not an address", v4, `{"ip":"ten"}`, false},
		{"a number is not an address", v4, `{"ip":10}`, false},
		{"other family", v4, `{"ip":"2001:db8::1"}`, false},
		{"IPv4-mapped IPv6", v4, `{"ip":"::ffff:a00:1"}`, true},
		{"IPv6 inside", v6, `{"ip":"2001:db8:ffff::1"}`, true},
		{"IPv6 outside", v6, `{"ip":"2001:db9::"}`, false},
		{"range starts at the address as written", `{"ip":[{"cidr":"10.0.0.5/24"}]}`, `{"ip":"10.0.0.4"}`, false},
		{"range ends at the block's last address", `{"ip":[{"cidr":"10.0.0.5/24"}]}`, `{"ip":"10.0.0.6"}`, true},
		{"zero mask bits", `{"ip":[{"cidr":"0.0.0.0/0"}]}`, `{"ip":"255.255.255.255"}`, true},
	})
}

func TestMatchEventBridgeOr(t *testing.T) {
	t.Parallel()
	const standard = `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]}`
	const withAnd = `{"source":["aws.cloudwatch"],"$or":[
		{"metricName":["CPUUtilization","ReadLatency"]},
		{"metricType":["MetricType"],"namespace":["AWS/EC2","AWS/ES"]},
		{"scope":["Service"]}]}`
	const nested = `{"source":["aws.cloudwatch"],"$or":[
		{"metricName":["CPUUtilization"]},
		{"namespace":["AWS/EC2"],"$or":[{"metricId":[1234]},{"spaceId":[1000]}]}]}`
	const parallel = `{"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}],
		"detail":{"$or":[{"source":["aws.cloudwatch"]},{"detail-type":["CloudWatch Alarm State Change"]}]}}`
	runMatchCases(t, EventBridge, []matchCase{
		{"first branch", standard, `{"source":"aws.cloudwatch","metricName":"CPUUtilization"}`, true},
		{"second branch", standard, `{"source":"aws.cloudwatch","namespace":"AWS/EC2"}`, true},
		{"no branch", standard, `{"source":"aws.cloudwatch","namespace":"AWS/S3"}`, false},
		{"branch but not the AND", standard, `{"source":"aws.s3","namespace":"AWS/EC2"}`, false},
		{"AND inside a branch", withAnd, `{"source":"aws.cloudwatch","metricType":"MetricType","namespace":"AWS/ES"}`, true},
		{"half of an AND inside a branch", withAnd, `{"source":"aws.cloudwatch","namespace":"AWS/ES"}`, false},
		{"third branch", withAnd, `{"source":"aws.cloudwatch","scope":"Service"}`, true},
		{"nested OR", nested, `{"source":"aws.cloudwatch","namespace":"AWS/EC2","spaceId":1000}`, true},
		{"nested OR unmet", nested, `{"source":"aws.cloudwatch","namespace":"AWS/EC2","spaceId":1}`, false},
		{"parallel ORs", parallel, `{"namespace":"AWS/EC2","detail":{"source":"aws.cloudwatch"}}`, true},
		{"parallel ORs, inner unmet", parallel, `{"namespace":"AWS/EC2","detail":{"source":"x"}}`, false},
		{"OR of exists false", `{"$or":[{"a":[{"exists":false}]},{"b":["x"]}]}`, `{"a":1,"b":"x"}`, true},
		{"OR inside array elements", `{"e":{"$or":[{"a":["1"]},{"b":["2"]}],"c":["3"]}}`, `{"e":[{"a":"1"},{"b":"2","c":"3"}]}`, true},
		{"OR does not combine array elements", `{"e":{"$or":[{"a":["1"]},{"b":["2"]}],"c":["3"]}}`, `{"e":[{"a":"1"},{"c":"3"}]}`, false},
		{"one object is not an OR", `{"$or":[{"prefix":"a"}]}`, `{"$or":"abc"}`, true},
		{"reserved names are not an OR", `{"$or":[{"prefix":"a"},{"suffix":"z"}]}`, `{"$or":"xyz"}`, true},
	})
}

func TestMatchSNSMessageAttributes(t *testing.T) {
	t.Parallel()
	num := func(s string) json.Number { return json.Number(s) }
	cases := []struct {
		name   string
		policy string
		attrs  map[string]any
		want   bool
	}{
		{"exact", `{"customer_interests":["rugby","tennis"]}`, map[string]any{"customer_interests": "rugby"}, true},
		{"exact misses", `{"customer_interests":["rugby","tennis"]}`, map[string]any{"customer_interests": "baseball"}, false},
		{"String.Array element", `{"customer_interests":["rugby","tennis"]}`, map[string]any{"customer_interests": []any{"baseball", "rugby"}}, true},
		{"String.Array misses", `{"customer_interests":["rugby","tennis"]}`, map[string]any{"customer_interests": []any{"baseball"}}, false},
		{"missing attribute", `{"customer_interests":["rugby"]}`, map[string]any{"store": "x"}, false},
		{"prefix", `{"customer_interests":[{"prefix":"bas"}]}`, map[string]any{"customer_interests": "basketball"}, true},
		{"prefix misses", `{"customer_interests":[{"prefix":"bas"}]}`, map[string]any{"customer_interests": "rugby"}, false},
		{"suffix", `{"f":[{"suffix":"ball"}]}`, map[string]any{"f": "football"}, true},
		{"equals-ignore-case", `{"f":[{"equals-ignore-case":"RUGBY"}]}`, map[string]any{"f": "Rugby"}, true},
		{"anything-but", `{"customer_interests":[{"anything-but":["rugby","tennis"]}]}`, map[string]any{"customer_interests": "baseball"}, true},
		{"anything-but excluded", `{"customer_interests":[{"anything-but":["rugby","tennis"]}]}`, map[string]any{"customer_interests": "rugby"}, false},
		{"anything-but with another array element", `{"customer_interests":[{"anything-but":["rugby","tennis"]}]}`, map[string]any{"customer_interests": []any{"rugby", "baseball"}}, true},
		{"anything-but missing", `{"customer_interests":[{"anything-but":["rugby"]}]}`, map[string]any{}, false},
		{"anything-but or exists false", `{"customer_interests":[{"anything-but":["rugby"]},{"exists":false}]}`, map[string]any{}, true},
		{"anything-but prefix", `{"event":[{"anything-but":{"prefix":"order-"}}]}`, map[string]any{"event": "data-entry"}, true},
		{"anything-but prefix excluded", `{"event":[{"anything-but":{"prefix":"order-"}}]}`, map[string]any{"event": "order-cancelled"}, false},
		{"numeric equals", `{"price_usd":[{"numeric":["=",301.5]}]}`, map[string]any{"price_usd": num("3.015e2")}, true},
		{"numeric on a String attribute", `{"price_usd":[{"numeric":["=",301.5]}]}`, map[string]any{"price_usd": "301.5"}, false},
		{"numeric anything-but", `{"price":[{"anything-but":[100,500]}]}`, map[string]any{"price": num("100.1")}, true},
		{"numeric anything-but excluded", `{"price":[{"anything-but":[100,500]}]}`, map[string]any{"price": num("100")}, false},
		{"numeric anything-but, Number.Array", `{"price":[{"anything-but":[100,500]}]}`, map[string]any{"price": []any{num("100"), num("50")}}, true},
		{"numeric range", `{"price_usd":[{"numeric":[">",0,"<=",150]}]}`, map[string]any{"price_usd": num("150")}, true},
		{"numeric range misses", `{"price_usd":[{"numeric":[">",0,"<=",150]}]}`, map[string]any{"price_usd": num("150.00001")}, false},
		{"numeric beyond SNS's range", `{"n":[{"numeric":[">",0]}]}`, map[string]any{"n": num("1000000001")}, false},
		{"float64 value", `{"n":[{"numeric":["<",1]}]}`, map[string]any{"n": 0.5}, true},
		{"int value", `{"n":[7]}`, map[string]any{"n": 7}, true},
		{"int64 value", `{"n":[7]}`, map[string]any{"n": int64(7)}, true},
		{"uint64 value", `{"n":[7]}`, map[string]any{"n": uint64(7)}, true},
		{"float32 value", `{"n":[0.5]}`, map[string]any{"n": float32(0.5)}, true},
		{"NaN is no value", `{"n":[{"exists":false}]}`, map[string]any{"n": math.NaN()}, true},
		{"malformed json.Number compares as text", `{"n":[{"numeric":[">",0]}]}`, map[string]any{"n": num("1,5")}, false},
		{"exists true", `{"store":[{"exists":true}]}`, map[string]any{"store": "fans"}, true},
		{"exists true, missing", `{"store":[{"exists":true}]}`, map[string]any{"customer_interests": []any{"baseball"}}, false},
		{"exists false", `{"store":[{"exists":false}]}`, map[string]any{"customer_interests": []any{"baseball"}}, true},
		{"exists false, present", `{"store":[{"exists":false}]}`, map[string]any{"store": "fans"}, false},
		{"cidr", `{"source_ip":[{"cidr":"10.0.0.0/24"}]}`, map[string]any{"source_ip": "10.0.0.255"}, true},
		{"cidr misses", `{"source_ip":[{"cidr":"10.0.0.0/24"}]}`, map[string]any{"source_ip": "10.1.1.0"}, false},
		{"AND across attributes", `{"customer_interests":["rugby"],"price_usd":[{"numeric":[">",100]}]}`, map[string]any{"customer_interests": "rugby", "price_usd": num("101")}, true},
		{"AND, one attribute fails", `{"customer_interests":["rugby"],"price_usd":[{"numeric":[">",100]}]}`, map[string]any{"customer_interests": "rugby", "price_usd": num("100")}, false},
		{"$or", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]}`, map[string]any{"source": "aws.cloudwatch", "namespace": "AWS/EC2"}, true},
		{"$or unmet", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]}`, map[string]any{"source": "aws.cloudwatch"}, false},
		{"empty policy matches everything", `{}`, map[string]any{"a": "b"}, true},
		{"values of unknown Go types are absent", `{"a":[{"exists":false}]}`, map[string]any{"a": struct{}{}}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := Compile([]byte(tc.policy), SNSMessageAttributes)
			if err != nil {
				t.Fatalf("Compile(%s): %v", tc.policy, err)
			}
			if got := p.MatchValue(tc.attrs); got != tc.want {
				t.Errorf("policy %s\nattributes %v\nMatchValue = %v, want %v", tc.policy, tc.attrs, got, tc.want)
			}
		})
	}
}

func TestMatchSNSMessageBody(t *testing.T) {
	t.Parallel()
	runMatchCases(t, SNSMessageBody, []matchCase{
		{"top-level property", `{"customer_interests":["rugby"]}`, `{"customer_interests":"rugby"}`, true},
		{"nested property", `{"store":{"name":["example_corp"]}}`, `{"store":{"name":"example_corp","city":"x"}}`, true},
		{"nested property misses", `{"store":{"name":["example_corp"]}}`, `{"store":{"name":"other"}}`, false},
		{"array body property", `{"customer_interests":["rugby"]}`, `{"customer_interests":["baseball","rugby"]}`, true},
		{"array of objects", `{"items":{"sku":[{"prefix":"A-"}]}}`, `{"items":[{"sku":"B-1"},{"sku":"A-2"}]}`, true},
		{"numeric", `{"price":[{"numeric":[">=",10]}]}`, `{"price":10}`, true},
		{"anything-but array", `{"price":[{"anything-but":[100,500]}]}`, `{"price":[100,50]}`, true},
		{"exists false nested", `{"store":{"name":[{"exists":false}]}}`, `{"other":1}`, true},
		{"$or nested", `{"a":{"$or":[{"b":["1"]},{"c":["2"]}]}}`, `{"a":{"c":"2"}}`, true},
		{"body is not JSON", `{"a":["x"]}`, `plain text`, false},
		{"empty policy matches any body", `{}`, `plain text`, true},
	})
}
