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
		"RetentionPeriodHours": {"RetentionPeriodHours": num("72")},
		"Tags":                 {"Tags": nil},
	}, "Name", "ShardCount")

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
