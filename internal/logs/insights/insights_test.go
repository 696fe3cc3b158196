package insights

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		q    string
		want string // commands, summarized
	}{
		{"fields @timestamp, @message | sort @timestamp desc | limit 20", "fields(@timestamp,@message) sort(@timestamp desc) limit(20)"},
		{`filter @type = "REPORT" | stats avg(@duration), max(@maxMemoryUsed) by bin(5m)`, "filter stats(avg(@duration),max(@maxMemoryUsed) by bin(5m))"},
		{"filter @message like /ERROR/ | stats count(*) by @logStream", "filter stats(count(*) by @logStream)"},
		{`parse @message "user=* action=*" as user, action | stats count(*) by action`, "parse(user,action) stats(count(*) by action)"},
		{"parse @message /(?<time>\\d+) (?<code>[A-Z]+)/", "parse(time,code)"},
		{"fields abs(f3-f4) as d, `foo-bar` # a comment\n| display d", "fields(d,foo-bar) display(d)"},
		{"stats count(*) as n by bin(1h) as t | sort n desc", "stats(n by t) sort(n desc)"},
		{"sort by @billedDuration desc", "sort(@billedDuration desc)"},
		{"fields @timestamp | sort @timestamp desc | dedup @logStream | limit 5", "fields(@timestamp) sort(@timestamp desc) dedup(@logStream) limit(5)"},
		{`filter level in ["error", "warn"] and not ispresent(x)`, "filter"},
		{"stats max(@memorySize / 1000 / 1000) as provisioned, max(@maxMemoryUsed / 1000 / 1000) as used, provisioned - used as over", "stats(provisioned,used,over)"},
		{"FIELDS a | FILTER a != 2 | LIMIT 3", "fields(a) filter limit(3)"},
	} {
		q, err := Parse(tc.q)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.q, err)
			continue
		}
		if got := summarize(q); got != tc.want {
			t.Errorf("Parse(%q) = %s, want %s", tc.q, got, tc.want)
		}
	}
}

func summarize(q *Query) string {
	var parts []string
	names := func(items []Item) string {
		var n []string
		for _, it := range items {
			n = append(n, it.Name)
		}
		return strings.Join(n, ",")
	}
	for _, c := range q.Commands {
		switch c := c.(type) {
		case FieldsCmd:
			parts = append(parts, "fields("+names(c.Items)+")")
		case DisplayCmd:
			parts = append(parts, "display("+strings.Join(c.Fields, ",")+")")
		case FilterCmd:
			parts = append(parts, "filter")
		case StatsCmd:
			s := "stats(" + names(c.Aggs)
			if c.By != nil {
				s += " by " + names(c.By)
			}
			parts = append(parts, s+")")
		case SortCmd:
			var k []string
			for _, key := range c.Keys {
				d := "asc"
				if key.Desc {
					d = "desc"
				}
				k = append(k, fmt.Sprintf("%v %s", key.Expr.(FieldRef).Name, d))
			}
			parts = append(parts, "sort("+strings.Join(k, ",")+")")
		case LimitCmd:
			parts = append(parts, fmt.Sprintf("limit(%d)", c.N))
		case ParseCmd:
			parts = append(parts, "parse("+strings.Join(c.Names, ",")+")")
		case DedupCmd:
			parts = append(parts, "dedup("+strings.Join(c.Fields, ",")+")")
		}
	}
	return strings.Join(parts, " ")
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		q          string
		start, end int
		msg        string
	}{
		{"bogus command", 0, 5, "unexpected symbol found bogus"},
		{"fields a | dedup a | sort a", 21, 25, "unexpected symbol found sort"},
		{"fields a |", 10, 10, "unexpected end of query"},
		{"fields avg(a)", 7, 10, "the aggregation function avg can only be used in stats"},
		{"fields nosuch(a)", 7, 13, "unknown function nosuch"},
		{`filter a = "x`, 11, 13, "unterminated string"},
		{"limit 0", 6, 7, "limit must be between 1 and 10000"},
		{"limit 10001", 6, 11, "limit must be between 1 and 10000"},
		{`parse @message "a=* b=*" as a`, 15, 29, "the number of fields does not match the number of wildcards in the pattern"},
		{"stats a by b", 0, 7, "stats needs an aggregation function"},
		{"filter a like b", 14, 15, "unexpected symbol found b"},
		{"", 0, 0, "the query is empty"},
		{"fields ¤", 7, 8, "unexpected symbol found ¤"},
	} {
		_, err := Parse(tc.q)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) = %v, want an *Error", tc.q, err)
			continue
		}
		if e.Start != tc.start || e.End != tc.end || e.Message != tc.msg {
			t.Errorf("Parse(%q) = %d-%d %q, want %d-%d %q", tc.q, e.Start, e.End, e.Message, tc.start, tc.end, tc.msg)
		}
	}
}

var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).UnixMilli()

func lambdaRecords() []*Record {
	msgs := []struct {
		off    time.Duration
		stream string
		msg    string
	}{
		{0, "s1", "START RequestId: r1 Version: $LATEST"},
		{time.Second, "s1", `2026-03-01T12:00:01.000Z	r1	INFO	{"user":"alice","action":"login","latency":120,"req":{"path":"/a"}}`},
		{2 * time.Second, "s1", "ERROR user=alice action=login failed"},
		{3 * time.Second, "s1", "END RequestId: r1"},
		{3 * time.Second, "s1", "REPORT RequestId: r1\tDuration: 12.50 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 100.25 ms\t"},
		{6 * time.Minute, "s2", "START RequestId: r2 Version: $LATEST"},
		{6*time.Minute + time.Second, "s2", "INFO user=bob action=logout"},
		{6*time.Minute + 2*time.Second, "s2", "ERROR user=bob action=login"},
		{6*time.Minute + 3*time.Second, "s2", "END RequestId: r2"},
		{6*time.Minute + 3*time.Second, "s2", "REPORT RequestId: r2\tDuration: 7.50 ms\tBilled Duration: 8 ms\tMemory Size: 128 MB\tMax Memory Used: 44 MB\t"},
	}
	var out []*Record
	for i, m := range msgs {
		ts := base + m.off.Milliseconds()
		out = append(out, &Record{Timestamp: ts, Ingestion: ts + 5, Message: m.msg, Stream: m.stream, Log: "000000000000:/aws/lambda/f", Ptr: fmt.Sprintf("p%d", i)})
	}
	return out
}

func run(t *testing.T, q string, limit int) ([][]Field, int) {
	t.Helper()
	parsed, err := Parse(q)
	if err != nil {
		t.Fatalf("Parse(%q): %v", q, err)
	}
	e := parsed.Start(limit)
	for _, r := range lambdaRecords() {
		e.Add(r)
	}
	return e.Finish(), e.Matched()
}

func show(rows [][]Field) string {
	var lines []string
	for _, r := range rows {
		var fs []string
		for _, f := range r {
			fs = append(fs, f.Name+"="+f.Value)
		}
		lines = append(lines, strings.Join(fs, " "))
	}
	return strings.Join(lines, "\n")
}

func TestRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		q, want string
		matched int
	}{
		{"fields @timestamp, @message | sort @timestamp desc | limit 2", "@timestamp=2026-03-01 12:06:03.000 @message=REPORT RequestId: r2\tDuration: 7.50 ms\tBilled Duration: 8 ms\tMemory Size: 128 MB\tMax Memory Used: 44 MB\t @ptr=p9\n" +
			"@timestamp=2026-03-01 12:06:03.000 @message=END RequestId: r2 @ptr=p8", 10},
		{`filter @type = "REPORT" | stats avg(@duration), max(@maxMemoryUsed) by bin(5m)`,
			"bin(5m)=2026-03-01 12:00:00.000 avg(@duration)=12.5 max(@maxMemoryUsed)=40000000\n" +
				"bin(5m)=2026-03-01 12:05:00.000 avg(@duration)=7.5 max(@maxMemoryUsed)=44000000", 2},
		{"filter @message like /ERROR/ | stats count(*) by @logStream", "@logStream=s1 count(*)=1\n@logStream=s2 count(*)=1", 2},
		{`parse @message "user=* action=*" as user, action | stats count(*) by action | sort action`,
			"action=login count(*)=2\naction=login failed count(*)=1\naction=logout count(*)=1\ncount(*)=6", 10},
		{`filter @type = "REPORT" | fields @requestId, @billedDuration, @initDuration | sort @billedDuration desc`,
			"@requestId=r1 @billedDuration=13 @initDuration=100.25 @ptr=p4\n@requestId=r2 @billedDuration=8 @ptr=p9", 2},
		{"filter user = 'alice' and req.path = '/a' | display user, latency", "user=alice latency=120 @ptr=p1", 1},
		{"filter latency > 100 | fields latency * 2 as twice, toupper(user) as u, strlen(user) as n, substr(user, 1, 3) as s", "twice=240 u=ALICE n=5 s=lic @ptr=p1", 1},
		{`filter @type in ["START", "END"] | stats count(*) as n, count_distinct(@requestId) as ids`, "n=4 ids=2", 4},
		{`filter @type = "REPORT" | stats sum(@billedDuration) as s, min(@duration) as lo, pct(@duration, 50) as p50, earliest(@requestId) as first, latest(@timestamp) as last`,
			fmt.Sprintf("s=21 lo=7.5 p50=7.5 first=r1 last=%d", base+(6*time.Minute+3*time.Second).Milliseconds()), 2},
		{"filter @message not like 'RequestId' | fields @logStream | sort @timestamp asc | dedup @logStream", "@logStream=s1 @ptr=p1\n@logStream=s2 @ptr=p6", 4},
		{"filter ispresent(@initDuration) | fields datefloor(@timestamp, 1h) as h, @initDuration - 0.25 as i", "h=2026-03-01 12:00:00.000 i=100 @ptr=p4", 1},
		{"stats count(*) as n | filter n > 100", "", 10},
		{"filter nosuchfield = 1 | stats count(*)", "count(*)=0", 0},
		{"filter @message =~ /(?i)error/ | fields @message | limit 1", "@message=ERROR user=bob action=login @ptr=p7", 2},
		{"fields @log, @ingestionTime | limit 1", fmt.Sprintf("@log=000000000000:/aws/lambda/f @ingestionTime=%s @ptr=p9", time.UnixMilli(base+(6*time.Minute+3*time.Second).Milliseconds()+5).UTC().Format(TimeLayout)), 10},
		{`parse @message /(?<level>[A-Z]+) user=(?<who>\w+)/ | filter ispresent(who) | stats count(*) by level, who | sort who, level`,
			"level=ERROR who=alice count(*)=1\nlevel=ERROR who=bob count(*)=1\nlevel=INFO who=bob count(*)=1", 3},
	} {
		rows, matched := run(t, tc.q, 1000)
		if got := show(rows); got != tc.want || matched != tc.matched {
			t.Errorf("%s\ngot (matched %d):\n%s\nwant (matched %d):\n%s", tc.q, matched, got, tc.matched, tc.want)
		}
	}
}

func TestRunLimit(t *testing.T) {
	t.Parallel()
	rows, _ := run(t, "fields @message", 3)
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3", len(rows))
	}
}

func TestDiscover(t *testing.T) {
	t.Parallel()
	got := Discover(`prefix {"a":{"b":[1,{"c":"x"}]},"@id":"i","ok":true} {"ignored":1}`)
	want := map[string]Value{"a.b.0": Num(1), "a.b.1.c": Str("x"), "@@id": Str("i"), "ok": Str("true")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Discover = %v, want %v", got, want)
	}
}
