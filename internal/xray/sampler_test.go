package xray

import (
	"context"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/traceheader"
)

// countSampled is how many of n requests in one second Sample traces.
func countSampled(s *Service, req traceheader.SamplingRequest, n int) int {
	sampled := 0
	for range n {
		if s.Sample(req) {
			sampled++
		}
	}
	return sampled
}

// TestSampleDefaultRule: the Default rule samples the first request of
// each second, then about 5% of the rest.
func TestSampleDefaultRule(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	s := newTestService(t, clk)
	req := traceheader.SamplingRequest{ServiceName: "fn", ServiceType: "AWS::Lambda::Function"}
	if !s.Sample(req) {
		t.Fatal("the first request of a second was not sampled")
	}
	if n := countSampled(s, req, 10000); n < 300 || n > 750 {
		t.Errorf("sampled %d of 10000 beyond the reservoir; want about 500 (5%%)", n)
	}
	clk.Advance(time.Second)
	if !s.Sample(req) {
		t.Error("the first request of the next second was not sampled")
	}
}

// TestSampleByRule: the matching rule of the highest priority applies,
// with its reservoir each second and its fixed rate; a rule whose globs
// do not match, or that has attributes, does not.
func TestSampleByRule(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	s := newTestService(t, clk)
	ctx := context.Background()
	rule := func(name string, priority int32, service string, rate float64, reservoir int32, attrs map[string]string) {
		t.Helper()
		_, err := s.createSamplingRule(ctx, &CreateSamplingRuleRequest{SamplingRule: &SamplingRule{
			RuleName: ptr(name), ResourceARN: ptr("*"), Priority: ptr(priority), FixedRate: ptr(rate), ReservoirSize: ptr(reservoir),
			ServiceName: ptr(service), ServiceType: ptr("*"), Host: ptr("*"), HTTPMethod: ptr("*"), URLPath: ptr("*"),
			Version: ptr(int32(1)), Attributes: attrs}})
		if err != nil {
			t.Fatal(err)
		}
	}
	rule("none", 10, "quiet-*", 0, 0, nil)
	rule("all", 20, "LOUD-?", 1, 0, nil)
	rule("tagged", 5, "*", 0, 0, map[string]string{"k": "v"})
	rule("three", 30, "*", 0, 3, nil)
	if n := countSampled(s, traceheader.SamplingRequest{ServiceName: "quiet-fn"}, 1000); n != 0 {
		t.Errorf("rule none (rate 0, reservoir 0) sampled %d of 1000", n)
	}
	if n := countSampled(s, traceheader.SamplingRequest{ServiceName: "loud-1"}, 1000); n != 1000 {
		t.Errorf("rule all (rate 1) sampled %d of 1000", n)
	}
	if n := countSampled(s, traceheader.SamplingRequest{ServiceName: "other"}, 1000); n != 3 {
		t.Errorf("rule three (reservoir 3, rate 0) sampled %d of 1000 in a second", n)
	}
	clk.Advance(time.Second)
	if n := countSampled(s, traceheader.SamplingRequest{ServiceName: "other"}, 10); n != 3 {
		t.Errorf("rule three sampled %d of 10 in the next second", n)
	}
}

// TestSamplingRulesPersist: rules, and the Default rule's update, are
// read back by a new Service over the same store.
func TestSamplingRulesPersist(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	s := newTestService(t, clk)
	ctx := context.Background()
	if _, err := s.createSamplingRule(ctx, &CreateSamplingRuleRequest{SamplingRule: &SamplingRule{
		RuleName: ptr("kept"), ResourceARN: ptr("*"), Priority: ptr(int32(7)), FixedRate: ptr(0.5), ReservoirSize: ptr(int32(2)),
		ServiceName: ptr("*"), ServiceType: ptr("*"), Host: ptr("*"), HTTPMethod: ptr("*"), URLPath: ptr("*"), Version: ptr(int32(1))}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.updateSamplingRule(ctx, &UpdateSamplingRuleRequest{SamplingRuleUpdate: &SamplingRuleUpdate{
		RuleName: ptr(defaultRuleName), FixedRate: ptr(0.2)}}); err != nil {
		t.Fatal(err)
	}
	again, err := New(Deps{Store: s.store, Clock: clk, IDs: s.ids, Account: s.account, Region: s.region})
	if err != nil {
		t.Fatal(err)
	}
	out, err := again.getSamplingRules(ctx, &GetSamplingRulesRequest{})
	if err != nil || len(out.SamplingRuleRecords) != 2 {
		t.Fatalf("rules = %+v, %v", out, err)
	}
	if r := out.SamplingRuleRecords[0].SamplingRule; *r.RuleName != "kept" || *r.ReservoirSize != 2 {
		t.Errorf("first rule = %+v", r)
	}
	if r := out.SamplingRuleRecords[1].SamplingRule; *r.RuleName != defaultRuleName || *r.FixedRate != 0.2 || *r.Priority != defaultRulePriority {
		t.Errorf("Default rule = %+v", r)
	}
}
