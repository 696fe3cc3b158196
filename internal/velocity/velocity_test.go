package velocity

import (
	"errors"
	"strings"
	"testing"
)

func mustJSON(t testing.TB, s string) any {
	t.Helper()
	v, err := ParseJSON([]byte(s))
	if err != nil {
		t.Fatalf("ParseJSON(%s): %v", s, err)
	}
	return v
}

func TestExecute(t *testing.T) {
	body := mustJSON(t, `{"name":"Ann","age":41,"pets":[{"type":"dog","price":249.99},{"type":"cat","price":124.5}],"tags":["a","b"],"nested":{"x":{"y":true}}}`)
	vars := map[string]any{"body": body, "s": "Hello, World", "n": int64(7), "empty": ""}
	cases := []struct{ name, tmpl, want string }{
		{"text", "plain text", "plain text"},
		{"reference", "$s!", "Hello, World!"},
		{"braced", "${s}x", "Hello, Worldx"},
		{"property", "$body.name is $body.age", "Ann is 41"},
		{"nested", "$body.nested.x.y", "true"},
		{"missing renders empty", "[$nope][$!nope][$body.nope.deeper]", "[][][]"},
		{"index", "$body.pets[1].type $body.tags[0] $body.tags[-1]", "cat a b"},
		{"map renders as Java", "$body.nested", "{x={y=true}}"},
		{"list renders as Java", "$body.tags", "[a, b]"},
		{"float renders as Java", "$body.pets[0].price #set($f = 2.0)$f", "249.99 2.0"},
		{"dollar without name", "costs $5 and $ and $.x", "costs $5 and $ and $.x"},
		{"hash without directive", "#1 #hashtag #", "#1 #hashtag #"},
		{"escapes", `\$s \#set`, `$s #set`},
		{"string methods", "$s.length() $s.substring(7) $s.toUpperCase() $s.replace('l', 'L') $s.indexOf('W') $s.contains('World')", "12 World HELLO, WORLD HeLLo, WorLd 7 true"},
		{"split", "#foreach($p in $s.split(', '))[$p]#end", "[Hello][World]"},
		{"split with a limit", "#set($c = 'a,b,,c,,')$c.split(',') $c.split(',', 2) $c.split(',', -1)", "[a, b, , c] [a, b,,c,,] [a, b, , c, , ]"},
		{"replaceAll", `$s.replaceAll("(\w+), (\w+)", '$2 $1')`, "World Hello"},
		{"set and arithmetic", "#set($x = $n * 3 + 1)$x #set($y = $n / 2)$y #set($z = $n / 2.0)$z #set($r = $n % 4)$r", "22 3 3.5 3"},
		{"plus joins strings", `#set($q = "a=1" + "&")$q #set($r = $s + 1)$r #set($t = 2 + $body.name)$t #set($u = $s + $nope)$u`, "a=1& Hello, World1 2Ann Hello, World"},
		{"quotes in strings", `#set($q = 'it''s')$q #set($d = "say ""hi""")$d $body.name.replaceAll("\"", "") #set($e = "")[$e]`, `it's say "hi" Ann []`},
		{"set null keeps value", "#set($v = 'a')#set($v = $nope)$v", "a"},
		{"if", "#if($n > 5)big#elseif($n > 2)mid#else small#end", "big"},
		{"elseif", "#if($n > 10)big#elseif($n == 7)seven#{else}small#{end}", "seven"},
		{"else", "#if($n < 0)neg#else pos#end", " pos"},
		{"word operators", "#if($n gt 5 and not ($n eq 8) or false)yes#end", "yes"},
		{"empty string is true", "#if($empty)t#{else}f#end #if($nope)t#{else}f#end #if(!$nope)n#end", "t f n"},
		{"string equality", "#if($body.name == 'Ann')eq#end #if($body.age == '41')loose#end", "eq loose"},
		{"foreach with hasNext", `[#foreach($p in $body.pets)"$p.type"#if($foreach.hasNext),#end#end]`, `["dog","cat"]`},
		{"foreach counters", "#foreach($i in [1..3])$velocityCount:$foreach.index #end", "1:0 2:1 3:2 "},
		{"foreach over map values", "#foreach($v in {'a': 1, 'b': 2})$v#end", "12"},
		{"descending range", "#foreach($i in [3..1])$i#end", "321"},
		{"break", "#foreach($i in [1..9])#if($i > 2)#break#end$i#end", "12"},
		{"stop", "a#stop b", "a"},
		{"map literal and put", "#set($m = {})#set($m.k = 'v')$m.put('j', 2)$m $m.keySet() $m.containsKey('k')", "{k=v, j=2} [k, j] true"},
		{"list add renders its result", "#set($l = [])$l.add('x') #set($d = $l.add('y'))$l $l.size()", "true [x, y] 2"},
		{"keySet iteration", "#foreach($k in $body.keySet())$k,#end", "name,age,pets,tags,nested,"},
		{"entrySet", "#foreach($e in $body.nested.entrySet())$e.key=$e.value#end", "x={y=true}"},
		{"interpolated strings", `#set($g = "Hi $body.name!")$g #set($q = 'no $interp')$q`, "Hi Ann! no $interp"},
		{"comments", "a## line comment\nb#* block\ncomment *#c", "abc"},
		{"unparsed", "#[[#set($x = 1)$x]]#", "#set($x = 1)$x"},
		{"directive lines vanish", "{\n  #set($a = 1)\n  #if($a == 1)\n  \"a\": $a\n  #end\n}", "{\n  \"a\": 1\n}"},
		{"quiet method on null", "$!nope.size()|$nope.size()", "|"},
		{"unknown method is empty", "$s.noSuchMethod()", ""},
		{"equals and toString", "$n.toString() $s.equals('Hello, World') $body.age.equals(41)", "7 true true"},
		{"negative numbers", "#set($m = -3)$m #set($k = 5 - -2)$k", "-3 7"},
		{"names with dashes", "#set($m = {})#set($m.X-Trace = 'a')$m ${s}-$n $m.X-Trace", "{X-Trace=a} Hello, World-7 a"},
		{"foreach restores variable", "#set($i = 'outer')#foreach($i in [1..2])$i#end$i", "12outer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tm, err := Parse(c.tmpl)
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.tmpl, err)
			}
			got, err := tm.Execute(vars)
			if err != nil {
				t.Fatalf("Execute(%q): %v", c.tmpl, err)
			}
			if got != c.want {
				t.Errorf("Execute(%q)\n got %q\nwant %q", c.tmpl, got, c.want)
			}
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	for _, tmpl := range []string{
		"#if($a)x",
		"#foreach($a in $b)x",
		"#set($a 1)",
		"#set(1 = 2)",
		"#end",
		"#else",
		"#if($a",
		"#* never closed",
		"${a",
		"#set($a = 'unterminated)",
		"#set($a = [1, 2)",
		"#set($a = {1 2})",
		"#foreach($a.b in $c)#end",
		"#set($a = " + strings.Repeat("(", 200) + "1" + strings.Repeat(")", 200) + ")",
	} {
		_, err := Parse(tmpl)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a *SyntaxError", tmpl, err)
		}
	}
	_, err := Parse("line one\nline two #if(\n")
	if se := (*SyntaxError)(nil); !errors.As(err, &se) || se.Line < 2 {
		t.Errorf("error %v does not name line 2 or later", err)
	}
}

func TestLimits(t *testing.T) {
	tm, err := Parse("#foreach($i in [1..5000])x#end")
	if err != nil {
		t.Fatal(err)
	}
	out, err := tm.Execute(nil)
	if err != nil || len(out) != maxIterations {
		t.Errorf("foreach over 5,000 items wrote %d characters (%v), want %d", len(out), err, maxIterations)
	}
	tm, _ = Parse("#set($l = [1..99999])#foreach($a in $l)#foreach($b in $l)#foreach($c in $l)0123456789#end#end#end")
	if _, err := tm.Execute(nil); !errors.Is(err, errTooLarge) {
		t.Errorf("a template writing gigabytes: %v, want errTooLarge", err)
	}
	tm, _ = Parse("#foreach($a in [1..999])#foreach($b in [1..999])#foreach($c in [1..999])#end#end#end")
	if _, err := tm.Execute(nil); !errors.Is(err, errTooLarge) {
		t.Errorf("a billion empty iterations: %v, want errTooLarge", err)
	}
	for _, src := range []string{
		"#set($l = [1..999999999])",
		"#set($l = [-9223372036854775807..9223372036854775807])",
		"#set($f = 1.0)#foreach($i in [1..300])#set($f = $f * 10.0)#end#set($l = [0..$f])",
		// Each list holds the one before twice: rendering the last
		// would write 2^40 numbers.
		"#set($l = [1])#foreach($i in [1..40])#set($l = [$l, $l])#end$l",
		"#set($l = [1])#foreach($i in [1..40])#set($l = [$l, $l])#end$input.json($l)",
	} {
		tm, err := Parse(src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		vars := map[string]any{"input": jsonObject{}}
		if _, err := tm.Execute(vars); !errors.Is(err, errTooLarge) {
			t.Errorf("%s: %v, want errTooLarge", src, err)
		}
	}
}

// jsonObject is a host object whose json(v) renders v as JSON.
type jsonObject struct{}

func (jsonObject) Property(string) (any, bool) { return nil, false }

func (jsonObject) Method(name string, args []any) (any, error) {
	if name == "json" && len(args) == 1 {
		return ToJSON(args[0]), nil
	}
	return nil, ErrNoMethod
}

// A list or map can be put inside itself; rendering it stops there, as
// Java's toString does, instead of recursing until the stack overflows.
func TestSelfReference(t *testing.T) {
	src := "#set($l = [1])#set($d = $l.add($l))$l " +
		"#set($m = {'a': 1})#set($m.self = $m)$m " +
		"#set($x = [])#set($y = [$x])#set($d = $x.add($y))$x " +
		"$j.json($l) $j.json($m) #if($l == $m)eq#{else}ne#end $l.contains($m)"
	tm, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tm.Execute(map[string]any{"j": jsonObject{}})
	if err != nil {
		t.Fatal(err)
	}
	want := `[1, (this Collection)] {a=1, self=(this Map)} [[(this Collection)]] [1,null] {"a":1,"self":null} ne false`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestJSON(t *testing.T) {
	in := `{"b":1,"a":[1,2.5,"x",null,true,{"c":{}}],"big":12345678901234567890}`
	v := mustJSON(t, in)
	if got, want := ToJSON(v), `{"b":1,"a":[1,2.5,"x",null,true,{"c":{}}],"big":12345678901234567000}`; got != want {
		t.Errorf("ToJSON = %s, want %s", got, want)
	}
	if _, err := ParseJSON([]byte(`{"a":1} x`)); err == nil {
		t.Error("trailing data accepted")
	}
	if _, err := ParseJSON([]byte(strings.Repeat("[", 1000))); err == nil {
		t.Error("deep nesting accepted")
	}
}

func TestJavaDouble(t *testing.T) {
	for f, want := range map[float64]string{1: "1.0", 0.5: "0.5", 1e7: "1.0E7", 1.5e-4: "1.5E-4", 123456.75: "123456.75", -2: "-2.0"} {
		if got := javaDouble(f); got != want {
			t.Errorf("javaDouble(%v) = %q, want %q", f, got, want)
		}
	}
}

// FuzzTemplate parses and runs arbitrary templates: never a panic, and
// every error is a SyntaxError or a limit.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		"$a.b.c()", "#set($x = [1..3])#foreach($i in $x)$i#end", "#if($a == 1 && !$b)x#elseif($c)y#else z#end",
		"${a}$!{b}$c[0]['k']", "#{if}(true)#{end}", "## c\n#* b *#x#[[y]]#", `#set($m = {"a": "$b", 'c': [1, 2.5]})$m`,
		"#foreach($k in $m.keySet())$m.get($k)#break#end#stop", "$s.substring(1,2).replaceAll('a+', '$0')", "\\$x\\#y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		tm, err := Parse(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse error %v is not a SyntaxError", err)
			}
			return
		}
		vars := map[string]any{"a": int64(1), "s": "abc", "m": mustJSON(t, `{"a":[1,2],"b":"x"}`)}
		if _, err := tm.Execute(vars); err != nil && !errors.Is(err, errTooLarge) {
			t.Fatalf("Execute(%q): %v", src, err)
		}
	})
}

func TestJSONPath(t *testing.T) {
	doc := mustJSON(t, `{"a":{"b":[10,20,{"c":"x"}]},"list":[{"id":1},{"id":2}],"k.y":true}`)
	for path, want := range map[string]string{
		"$":              `{"a":{"b":[10,20,{"c":"x"}]},"list":[{"id":1},{"id":2}],"k.y":true}`,
		"$.a.b[1]":       `20`,
		"$.a.b[-1].c":    `"x"`,
		"$['a']['b'][0]": `10`,
		"$.list[*].id":   `[1,2]`,
		"$..id":          `[1,2]`,
		"$.a.*":          `[[10,20,{"c":"x"}]]`,
		"$['k.y']":       `true`,
		"$.missing":      `null`,
		"$.a.b[7]":       `null`,
	} {
		got, err := JSONPath(doc, path)
		if err != nil {
			t.Errorf("JSONPath(%s): %v", path, err)
			continue
		}
		if s := ToJSON(got); s != want {
			t.Errorf("JSONPath(%s) = %s, want %s", path, s, want)
		}
	}
	for _, bad := range []string{"a.b", "$.", "$[1", "$[?(@.x)]", "$..", "$x"} {
		if _, err := JSONPath(doc, bad); err == nil {
			t.Errorf("JSONPath(%q) accepted", bad)
		}
	}
}

func FuzzJSONPath(f *testing.F) {
	for _, s := range []string{"$", "$.a.b[0]", "$..x", "$['a'][*]", "$.a.*", "$[-1]"} {
		f.Add(s)
	}
	doc := mustJSON(f, `{"a":{"b":[1,{"x":2}]},"x":[{"x":3}]}`)
	f.Fuzz(func(t *testing.T, path string) {
		JSONPath(doc, path)
	})
}
