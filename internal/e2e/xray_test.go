package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	xraytypes "github.com/aws/aws-sdk-go-v2/service/xray/types"

	"github.com/virga/virga/internal/e2e"
)

// xrayTraceID is a trace id of now, numbered n.
func xrayTraceID(now time.Time, n int) string {
	return fmt.Sprintf("1-%08x-%024x", now.Unix(), n)
}

func TestXRayPutAndReadTraces(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := xray.NewFromConfig(env.Config)
	ctx := context.Background()
	now := time.Now()
	start := float64(now.UnixMilli())/1000 - 1
	ok, slow := xrayTraceID(now, 1), xrayTraceID(now, 2)
	docs := []string{
		// A front end calling DynamoDB, and a back end with its own segment.
		fmt.Sprintf(`{"name":"front","id":"70de5b6f19ff9a0a","trace_id":%q,"start_time":%.3f,"end_time":%.3f,
			"http":{"request":{"method":"GET","url":"http://example.com/a"},"response":{"status":200}},
			"annotations":{"team":"blue"},
			"subsegments":[{"name":"DynamoDB","id":"70de5b6f19ff9a0b","namespace":"aws","start_time":%.3f,"end_time":%.3f},
			               {"name":"back","id":"70de5b6f19ff9a0c","namespace":"remote","start_time":%.3f,"end_time":%.3f}]}`,
			ok, start, start+0.2, start+0.01, start+0.05, start+0.06, start+0.15),
		fmt.Sprintf(`{"name":"back","id":"80de5b6f19ff9a0a","trace_id":%q,"parent_id":"70de5b6f19ff9a0c","start_time":%.3f,"end_time":%.3f}`,
			ok, start+0.07, start+0.14),
		fmt.Sprintf(`{"name":"front","id":"90de5b6f19ff9a0a","trace_id":%q,"start_time":%.3f,"end_time":%.3f,"fault":true,
			"http":{"response":{"status":502}}}`, slow, start, start+6),
		// Refused: no end_time nor in_progress, a bad id, a bad trace id.
		fmt.Sprintf(`{"name":"x","id":"a0de5b6f19ff9a0a","trace_id":%q,"start_time":%.3f}`, ok, start),
		fmt.Sprintf(`{"name":"x","id":"123","trace_id":%q,"start_time":%.3f,"end_time":%.3f}`, ok, start, start+1),
		fmt.Sprintf(`{"name":"x","id":"b0de5b6f19ff9a0a","trace_id":"1-abc","start_time":%.3f,"end_time":%.3f}`, start, start+1),
		`{"name":"x","id":"c0de5b6f19ff9a0a","trace_id":"` + ok + `","start_time":1,"end_time":2,"pad":"` + strings.Repeat("x", 64*1024) + `"}`,
	}
	put, err := c.PutTraceSegments(ctx, &xray.PutTraceSegmentsInput{TraceSegmentDocuments: docs})
	if err != nil {
		t.Fatal(err)
	}
	if len(put.UnprocessedTraceSegments) != 4 {
		t.Fatalf("UnprocessedTraceSegments = %d; want 4", len(put.UnprocessedTraceSegments))
	}
	for _, u := range put.UnprocessedTraceSegments {
		if aws.ToString(u.ErrorCode) == "" || aws.ToString(u.Message) == "" {
			t.Errorf("unprocessed segment %s without ErrorCode or Message", aws.ToString(u.Id))
		}
	}
	if aws.ToString(put.UnprocessedTraceSegments[0].Id) != "a0de5b6f19ff9a0a" {
		t.Errorf("first unprocessed Id = %s", aws.ToString(put.UnprocessedTraceSegments[0].Id))
	}

	got, err := c.BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: []string{ok, xrayTraceID(now, 99)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Traces) != 1 || len(got.Traces[0].Segments) != 2 || len(got.UnprocessedTraceIds) != 1 {
		t.Fatalf("BatchGetTraces = %d traces, %d unprocessed", len(got.Traces), len(got.UnprocessedTraceIds))
	}
	if d := aws.ToFloat64(got.Traces[0].Duration); d < 0.199 || d > 0.201 {
		t.Errorf("Duration = %v; want 0.2", d)
	}
	if !strings.Contains(aws.ToString(got.Traces[0].Segments[0].Document), `"name":"front"`) {
		t.Errorf("first segment = %s", aws.ToString(got.Traces[0].Segments[0].Document))
	}
	_, err = c.BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: []string{ok, ok, ok, ok, ok, ok}})
	expectAPIError(t, err, "InvalidRequestException", 400)

	summaries := func(filter string) []string {
		t.Helper()
		var ids []string
		p := xray.NewGetTraceSummariesPaginator(c, &xray.GetTraceSummariesInput{
			StartTime: aws.Time(now.Add(-time.Minute)), EndTime: aws.Time(now.Add(time.Minute)), FilterExpression: aws.String(filter)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("GetTraceSummaries %q: %v", filter, err)
			}
			for _, s := range page.TraceSummaries {
				ids = append(ids, aws.ToString(s.Id))
			}
		}
		return ids
	}
	for filter, want := range map[string]string{
		"":                                      ok + "," + slow,
		`service("back")`:                       ok,
		`service("DynamoDB")`:                   ok,
		"http.status = 502":                     slow,
		"fault":                                 slow,
		"error OR fault":                        slow,
		"!fault":                                ok,
		"responsetime > 5":                      slow,
		`annotation.team = "blue"`:              ok,
		`annotation.team = "red"`:               "",
		`http.url CONTAINS "example.com"`:       ok,
		`responsetime < 1 AND service("front")`: ok,
	} {
		if got := strings.Join(summaries(filter), ","); got != want {
			t.Errorf("GetTraceSummaries %q = %s; want %s", filter, got, want)
		}
	}
	_, err = c.GetTraceSummaries(ctx, &xray.GetTraceSummariesInput{StartTime: aws.Time(now.Add(-time.Minute)),
		EndTime: aws.Time(now), FilterExpression: aws.String("responsetime >")})
	expectAPIError(t, err, "InvalidRequestException", 400)

	sums, err := c.GetTraceSummaries(ctx, &xray.GetTraceSummariesInput{StartTime: aws.Time(now.Add(-time.Minute)),
		EndTime: aws.Time(now.Add(time.Minute)), FilterExpression: aws.String("fault")})
	if err != nil {
		t.Fatal(err)
	}
	s := sums.TraceSummaries[0]
	if !aws.ToBool(s.HasFault) || s.Http == nil || aws.ToInt32(s.Http.HttpStatus) != 502 || aws.ToFloat64(s.ResponseTime) != 6 {
		t.Errorf("summary = %+v", s)
	}

	graph, err := c.GetTraceGraph(ctx, &xray.GetTraceGraphInput{TraceIds: []string{ok}})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]xraytypes.Service{}
	for _, s := range graph.Services {
		names[aws.ToString(s.Name)] = s
	}
	front, dynamo, back := names["front"], names["DynamoDB"], names["back"]
	if len(graph.Services) != 3 || !aws.ToBool(front.Root) || aws.ToString(dynamo.Type) != "AWS::DynamoDB" || len(front.Edges) != 2 {
		t.Fatalf("GetTraceGraph = %+v", graph.Services)
	}
	if aws.ToInt32(front.Edges[1].ReferenceId) != aws.ToInt32(back.ReferenceId) {
		t.Errorf("front's second edge goes to %d; want back (%d)", aws.ToInt32(front.Edges[1].ReferenceId), aws.ToInt32(back.ReferenceId))
	}
	sg, err := c.GetServiceGraph(ctx, &xray.GetServiceGraphInput{StartTime: aws.Time(now.Add(-time.Minute)), EndTime: aws.Time(now.Add(time.Minute))})
	if err != nil {
		t.Fatal(err)
	}
	if len(sg.Services) != 3 {
		t.Fatalf("GetServiceGraph = %d services; want 3", len(sg.Services))
	}
	for _, s := range sg.Services {
		if aws.ToString(s.Name) == "front" && aws.ToInt64(s.SummaryStatistics.TotalCount) != 2 {
			t.Errorf("front's TotalCount = %d; want 2", aws.ToInt64(s.SummaryStatistics.TotalCount))
		}
	}
}

func TestXRaySamplingGroupsEncryption(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := xray.NewFromConfig(env.Config)
	ctx := context.Background()

	rules, err := c.GetSamplingRules(ctx, &xray.GetSamplingRulesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rules.SamplingRuleRecords) != 1 {
		t.Fatalf("rules = %d", len(rules.SamplingRuleRecords))
	}
	r := rules.SamplingRuleRecords[0].SamplingRule
	if aws.ToString(r.RuleName) != "Default" || r.ReservoirSize != 1 || r.FixedRate != 0.05 || aws.ToInt32(r.Priority) != 10000 {
		t.Errorf("default rule = %+v", r)
	}
	tg, err := c.GetSamplingTargets(ctx, &xray.GetSamplingTargetsInput{SamplingStatisticsDocuments: []xraytypes.SamplingStatisticsDocument{
		{RuleName: aws.String("Default"), ClientID: aws.String(strings.Repeat("a", 24)), Timestamp: aws.Time(time.Now()), RequestCount: 10, SampledCount: 2},
		{RuleName: aws.String("Nope"), ClientID: aws.String(strings.Repeat("a", 24)), Timestamp: aws.Time(time.Now()), RequestCount: 1, SampledCount: 0},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tg.SamplingTargetDocuments) != 1 || tg.SamplingTargetDocuments[0].FixedRate != 0.05 || len(tg.UnprocessedStatistics) != 1 {
		t.Errorf("targets = %+v", tg)
	}
	st, err := c.GetSamplingStatisticSummaries(ctx, &xray.GetSamplingStatisticSummariesInput{})
	if err != nil || len(st.SamplingStatisticSummaries) != 1 || st.SamplingStatisticSummaries[0].RequestCount != 10 {
		t.Fatalf("statistics = %+v, %v", st, err)
	}

	g, err := c.CreateGroup(ctx, &xray.CreateGroupInput{GroupName: aws.String("slow"), FilterExpression: aws.String("responsetime > 5")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(aws.ToString(g.Group.GroupARN), "arn:aws:xray:us-east-1:"+testAccount+":group/slow/") {
		t.Errorf("GroupARN = %s", aws.ToString(g.Group.GroupARN))
	}
	_, err = c.CreateGroup(ctx, &xray.CreateGroupInput{GroupName: aws.String("bad"), FilterExpression: aws.String("responsetime >")})
	expectAPIError(t, err, "InvalidRequestException", 400)
	gs, err := c.GetGroups(ctx, &xray.GetGroupsInput{})
	if err != nil || len(gs.Groups) != 2 || aws.ToString(gs.Groups[0].GroupName) != "Default" {
		t.Fatalf("GetGroups = %+v, %v", gs, err)
	}
	got, err := c.GetGroup(ctx, &xray.GetGroupInput{GroupARN: g.Group.GroupARN})
	if err != nil || aws.ToString(got.Group.FilterExpression) != "responsetime > 5" {
		t.Fatalf("GetGroup = %+v, %v", got, err)
	}
	if _, err := c.DeleteGroup(ctx, &xray.DeleteGroupInput{GroupName: aws.String("slow")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetGroup(ctx, &xray.GetGroupInput{GroupName: aws.String("slow")})
	expectAPIError(t, err, "InvalidRequestException", 400)

	enc, err := c.GetEncryptionConfig(ctx, &xray.GetEncryptionConfigInput{})
	if err != nil || enc.EncryptionConfig.Type != xraytypes.EncryptionTypeNone {
		t.Fatalf("GetEncryptionConfig = %+v, %v", enc, err)
	}
	if _, err := c.PutEncryptionConfig(ctx, &xray.PutEncryptionConfigInput{Type: xraytypes.EncryptionTypeKms, KeyId: aws.String("alias/aws/xray")}); err != nil {
		t.Fatal(err)
	}
	enc, err = c.GetEncryptionConfig(ctx, &xray.GetEncryptionConfigInput{})
	if err != nil || enc.EncryptionConfig.Type != xraytypes.EncryptionTypeKms || aws.ToString(enc.EncryptionConfig.KeyId) != "alias/aws/xray" {
		t.Fatalf("GetEncryptionConfig = %+v, %v", enc, err)
	}
	if _, err := c.PutTelemetryRecords(ctx, &xray.PutTelemetryRecordsInput{TelemetryRecords: []xraytypes.TelemetryRecord{{Timestamp: aws.Time(time.Now())}}}); err != nil {
		t.Fatal(err)
	}
}

// TestXRayDaemonUDP sends a segment as a function's X-Ray SDK does: one
// datagram to AWS_XRAY_DAEMON_ADDRESS, the header line, then the document.
func TestXRayDaemonUDP(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := xray.NewFromConfig(env.Config)
	ctx := context.Background()
	addr := env.App.XRayDaemon()
	if addr == "" {
		t.Fatal("the X-Ray daemon is off")
	}
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	now := time.Now()
	id := xrayTraceID(now, 7)
	start := float64(now.UnixMilli()) / 1000
	doc := fmt.Sprintf(`{"name":"from-udp","id":"1234567890abcdef","trace_id":%q,"start_time":%.3f,"end_time":%.3f}`, id, start, start+0.01)
	// Without the header the datagram is dropped; with it, recorded.
	for _, p := range []string{doc, `{"format": "json", "version": 1}` + "\n" + doc} {
		if _, err := conn.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := c.BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Traces) == 1 {
			if n := len(got.Traces[0].Segments); n != 1 {
				t.Fatalf("segments = %d; want 1", n)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the segment sent by UDP never arrived")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestXRayDaemonSamplingProxy asks the daemon's address for sampling
// rules over TCP, unsigned, as the X-Ray SDKs' centralized sampling does.
func TestXRayDaemonSamplingProxy(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	resp, err := http.Post("http://"+env.App.XRayDaemon()+"/GetSamplingRules", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		SamplingRuleRecords []struct {
			SamplingRule struct {
				RuleName  string
				FixedRate float64
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("HTTP %d: %v", resp.StatusCode, err)
	}
	if len(out.SamplingRuleRecords) != 1 || out.SamplingRuleRecords[0].SamplingRule.RuleName != "Default" {
		t.Errorf("rules = %+v", out)
	}
}

// TestXRayCLI puts a segment and finds it with Debian's aws CLI, which
// sends the times as epoch seconds and pages GetTraceSummaries itself.
func TestXRayCLI(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	now := time.Now()
	id := xrayTraceID(now, 9)
	doc := fmt.Sprintf(`{"name":"cli","id":"0123456789abcdef","trace_id":%q,"start_time":%d,"end_time":%d.5,"http":{"response":{"status":404}},"error":true}`,
		id, now.Unix(), now.Unix())
	var put struct{ UnprocessedTraceSegments []any }
	cliJSON(t, env.CLI(t, "xray", "put-trace-segments", "--trace-segment-documents", doc), &put)
	if len(put.UnprocessedTraceSegments) != 0 {
		t.Fatalf("unprocessed: %v", put.UnprocessedTraceSegments)
	}
	var sums struct {
		TraceSummaries []struct {
			Id           string
			HasError     bool
			ResponseTime float64
		}
	}
	cliJSON(t, env.CLI(t, "xray", "get-trace-summaries", "--start-time", fmt.Sprint(now.Unix()-60), "--end-time", fmt.Sprint(now.Unix()+60),
		"--filter-expression", `error AND http.status = 404 AND service("cli")`), &sums)
	if len(sums.TraceSummaries) != 1 || sums.TraceSummaries[0].Id != id || !sums.TraceSummaries[0].HasError || sums.TraceSummaries[0].ResponseTime != 0.5 {
		t.Fatalf("get-trace-summaries = %+v", sums)
	}

	// The create-group example scopes a filter to one service's segments.
	var group struct {
		Group struct{ GroupName, FilterExpression string }
	}
	cliJSON(t, env.CLI(t, "xray", "create-group", "--group-name", "AdminGroup",
		"--filter-expression", `service("cli") {fault OR error}`), &group)
	if group.Group.GroupName != "AdminGroup" || group.Group.FilterExpression != `service("cli") {fault OR error}` {
		t.Errorf("create-group = %+v", group)
	}
	cliJSON(t, env.CLI(t, "xray", "get-trace-summaries", "--start-time", fmt.Sprint(now.Unix()-60), "--end-time", fmt.Sprint(now.Unix()+60),
		"--filter-expression", `service("cli") { error } AND NOT service("cli") { fault }`), &sums)
	if len(sums.TraceSummaries) != 1 || sums.TraceSummaries[0].Id != id {
		t.Errorf("get-trace-summaries by the service's error = %+v", sums)
	}
}
