package providers_test

import (
	"fmt"
	"testing"
)

func TestKinesisStream(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	props := map[string]any{
		"Name": "clicks", "ShardCount": "3", "RetentionPeriodHours": num("48"),
		"Tags": []any{map[string]any{"Key": "team", "Value": "core"}},
	}
	st := s.create("AWS::Kinesis::Stream", "Clicks", props)
	if st.ref() != "clicks" || st.attr("Arn") != "arn:aws:kinesis:us-east-1:"+testAccount+":stream/clicks" {
		t.Errorf("Ref %s, attributes %v", st.ref(), st.result.Attributes)
	}
	summary := func(name string) map[string]any {
		return s.call("kinesis", "DescribeStreamSummary", map[string]any{"StreamName": name})["StreamDescriptionSummary"].(map[string]any)
	}
	d := summary("clicks")
	if fmt.Sprint(d["OpenShardCount"]) != "3" {
		t.Errorf("shards: %v", d["OpenShardCount"])
	}
	if fmt.Sprint(d["RetentionPeriodHours"]) != "48" {
		t.Errorf("retention: %v", d)
	}
	st.checkReplacement(map[string]map[string]any{
		"Name":                 {"Name": "other"},
		"ShardCount":           {"ShardCount": num("2")},
		"StreamModeDetails":    {"StreamModeDetails": map[string]any{"StreamMode": "ON_DEMAND"}},
		"RetentionPeriodHours": {"RetentionPeriodHours": num("72")},
		"Tags":                 {"Tags": nil},
	}, "Name")

	// ShardCount and StreamModeDetails change in place.
	props = with(props, map[string]any{"ShardCount": num("5")})
	st.update(props)
	if n := fmt.Sprint(summary("clicks")["OpenShardCount"]); n != "5" {
		t.Errorf("shards after ShardCount 5: %v", n)
	}
	props = with(props, map[string]any{"StreamModeDetails": map[string]any{"StreamMode": "ON_DEMAND"}, "ShardCount": nil})
	st.update(props)
	if m := summary("clicks")["StreamModeDetails"].(map[string]any)["StreamMode"]; m != "ON_DEMAND" {
		t.Errorf("mode after the update: %v", m)
	}
	props = with(props, map[string]any{"StreamModeDetails": map[string]any{"StreamMode": "PROVISIONED"}, "ShardCount": num("3")})
	st.update(props)
	if d := summary("clicks"); fmt.Sprint(d["OpenShardCount"]) != "3" || d["StreamModeDetails"].(map[string]any)["StreamMode"] != "PROVISIONED" {
		t.Errorf("after PROVISIONED with 3 shards: %v", d)
	}

	st.update(with(props, map[string]any{"RetentionPeriodHours": nil, "Tags": []any{map[string]any{"Key": "env", "Value": "dev"}}}))
	if h := fmt.Sprint(summary("clicks")["RetentionPeriodHours"]); h != "24" {
		t.Errorf("retention after the update: %v", h)
	}
	tags := s.call("kinesis", "ListTagsForStream", map[string]any{"StreamName": "clicks"})["Tags"].([]any)
	if len(tags) != 1 || tags[0].(map[string]any)["Key"] != "env" {
		t.Errorf("tags after the update: %v", tags)
	}

	od := s.create("AWS::Kinesis::Stream", "Events", map[string]any{"StreamModeDetails": map[string]any{"StreamMode": "ON_DEMAND"}})
	if !generated(od.ref(), "Events") {
		t.Errorf("generated name %s", od.ref())
	}
	if m := summary(od.ref())["StreamModeDetails"].(map[string]any)["StreamMode"]; m != "ON_DEMAND" {
		t.Errorf("mode %v", m)
	}
	st.delete()
	if code := s.callErr("kinesis", "DescribeStreamSummary", map[string]any{"StreamName": "clicks"}); code != "ResourceNotFoundException" {
		t.Errorf("after delete: %q", code)
	}
}
