package deliver

import (
	"encoding/json"
	"testing"
)

func TestECSRunTask(t *testing.T) {
	t.Parallel()
	type vpc struct {
		Subnets        []string
		AssignPublicIp *string
	}
	type network struct{ AwsvpcConfiguration *vpc }
	enabled := "ENABLED"
	count := int32(2)
	for _, tc := range []struct {
		name   string
		params any
		want   string
	}{
		{"EventBridge's shape", struct {
			TaskDefinitionArn    string
			TaskCount            *int32
			NetworkConfiguration *network
			EnableECSManagedTags bool
			Tags                 []map[string]string
		}{"job", &count, &network{&vpc{[]string{"subnet-1"}, &enabled}}, true, []map[string]string{{"Key": "team", "Value": "data"}}},
			`{"count":2,"enableECSManagedTags":true,"networkConfiguration":{"awsvpcConfiguration":{"assignPublicIp":"ENABLED","subnets":["subnet-1"]}},` +
				`"startedBy":"by","tags":[{"key":"team","value":"data"}],"taskDefinition":"job"}`},
		{"Scheduler's tags, one map a tag", struct {
			TaskDefinitionArn string
			Tags              []map[string]string
		}{"job", []map[string]string{{"team": "data"}}},
			`{"startedBy":"by","tags":[{"key":"team","value":"data"}],"taskDefinition":"job"}`},
		{"nothing", nil, `{"startedBy":"by"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := json.Marshal(ECSRunTask(tc.params, "by"))
			if string(got) != tc.want {
				t.Fatalf("ECSRunTask = %s; want %s", got, tc.want)
			}
		})
	}
}

func TestTaskOverrides(t *testing.T) {
	t.Parallel()
	for input, want := range map[string]bool{
		`{"containerOverrides":[{"name":"app","command":["x"]}]}`: true,
		` {"cpu":"512","memory":"1024","taskRoleArn":"r"} `:       true,
		`{"version":"0","detail-type":"Run","source":"app"}`:      false,
		`{"containerOverrides":[],"detail":{}}`:                   false,
		`{}`:                                                      false,
		`"text"`:                                                  false,
		`{"containerOverrides":`:                                  false,
	} {
		if _, ok := TaskOverrides([]byte(input)); ok != want {
			t.Errorf("TaskOverrides(%s) ok = %v; want %v", input, ok, want)
		}
	}
}

// FuzzTaskOverrides checks that an input TaskOverrides accepts is a JSON
// object of TaskOverride's members only, and that it never panics.
func FuzzTaskOverrides(f *testing.F) {
	for _, s := range []string{`{"containerOverrides":[{"name":"app"}]}`, `{"cpu":"1"}`, `{"source":"x"}`, `{}`, `[]`, `null`, ``, `{"cpu":`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		o, ok := TaskOverrides([]byte(input))
		if !ok {
			return
		}
		var m map[string]any
		if json.Unmarshal([]byte(input), &m) != nil || len(o) == 0 || len(o) != len(m) {
			t.Fatalf("TaskOverrides(%q) = %v", input, o)
		}
		for k := range o {
			if !taskOverrideMembers[k] {
				t.Fatalf("TaskOverrides(%q) accepted member %q", input, k)
			}
		}
	})
}
