package providers_test

import (
	"testing"
	"time"
)

func TestScheduleAndGroup(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	group := s.create("AWS::Scheduler::ScheduleGroup", "Group", map[string]any{
		"Tags": []any{map[string]any{"Key": "team", "Value": "core"}},
	})
	name := group.ref()
	if !generated(name, "Group") || group.attr("Arn") != "arn:aws:scheduler:us-east-1:"+testAccount+":schedule-group/"+name ||
		group.attr("State") != "ACTIVE" {
		t.Errorf("group Ref %s, attributes %v", name, group.result.Attributes)
	}
	if _, err := time.Parse(time.RFC3339Nano, group.attr("CreationDate")); err != nil {
		t.Errorf("CreationDate %q: %v", group.attr("CreationDate"), err)
	}
	group.checkReplacement(map[string]map[string]any{"Name": {"Name": "x"}, "Tags": {"Tags": nil}}, "Name")
	group.update(map[string]any{"Tags": []any{map[string]any{"Key": "team", "Value": "core"}, map[string]any{"Key": "env", "Value": "dev"}}})
	tags := s.call("scheduler", "ListTagsForResource", map[string]any{"ResourceArn": group.attr("Arn")})["Tags"].([]any)
	if len(tags) != 2 {
		t.Errorf("group tags after the update: %v", tags)
	}

	q := s.create("AWS::SQS::Queue", "Q", map[string]any{})
	props := map[string]any{
		"GroupName":          name,
		"ScheduleExpression": "rate(1 hour)",
		"StartDate":          "2030-01-02T03:04:05Z",
		"FlexibleTimeWindow": map[string]any{"Mode": "FLEXIBLE", "MaximumWindowInMinutes": "5"},
		"Target": map[string]any{
			"Arn": q.attr("Arn"), "RoleArn": testRole, "Input": `{"job":"report"}`,
			"RetryPolicy": map[string]any{"MaximumRetryAttempts": "2"},
		},
	}
	sched := s.create("AWS::Scheduler::Schedule", "Hourly", props)
	if !generated(sched.ref(), "Hourly") || sched.attr("Arn") != "arn:aws:scheduler:us-east-1:"+testAccount+":schedule/"+name+"/"+sched.ref() {
		t.Errorf("schedule Ref %s, Arn %s", sched.ref(), sched.attr("Arn"))
	}
	got := s.call("scheduler", "GetSchedule", map[string]any{"Name": sched.ref(), "GroupName": name})
	if str(got, "FlexibleTimeWindow", "MaximumWindowInMinutes") != "5" || str(got, "Target", "RetryPolicy", "MaximumRetryAttempts") != "2" ||
		str(got, "StartDate") != "1893553445" || str(got, "State") != "ENABLED" {
		t.Errorf("schedule as created: %v", got)
	}
	sched.checkReplacement(map[string]map[string]any{
		"Name":               {"Name": "x"},
		"GroupName":          {"GroupName": "default"},
		"ScheduleExpression": {"ScheduleExpression": "rate(2 hours)"},
		"Target":             {"Target": map[string]any{"Arn": q.attr("Arn"), "RoleArn": testRole}},
	}, "Name", "GroupName")
	sched.update(with(props, map[string]any{"ScheduleExpression": "rate(2 hours)", "State": "DISABLED", "StartDate": nil}))
	got = s.call("scheduler", "GetSchedule", map[string]any{"Name": sched.ref(), "GroupName": name})
	if str(got, "ScheduleExpression") != "rate(2 hours)" || str(got, "State") != "DISABLED" || get(got, "StartDate") != nil {
		t.Errorf("schedule after the update: %v", got)
	}
	sched.delete()
	if code := s.callErr("scheduler", "GetSchedule", map[string]any{"Name": sched.ref(), "GroupName": name}); code != "ResourceNotFoundException" {
		t.Errorf("GetSchedule after the delete: %q", code)
	}
	group.delete()
	if code := s.callErr("scheduler", "GetScheduleGroup", map[string]any{"Name": name}); code != "ResourceNotFoundException" {
		t.Errorf("GetScheduleGroup after the delete: %q", code)
	}
}
