package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/virga/virga/internal/e2e"
)

func TestSplitOverrides(t *testing.T) {
	for in, want := range map[string][][2]string{
		`Stage="dev" Name="a b" Empty=""`:      {{"Stage", "dev"}, {"Name", "a b"}, {"Empty", ""}},
		"A=1  B=2\tC=x=y":                      {{"A", "1"}, {"B", "2"}, {"C", "x=y"}},
		`ParameterKey=Env,ParameterValue=prod`: {{"Env", "prod"}},
		`Q="say \"hi\""`:                       {{"Q", `say "hi"`}},
		"":                                     nil,
	} {
		got, err := splitOverrides(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("splitOverrides(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{`A="open`, "novalue", "=x"} {
		if _, err := splitOverrides(bad); err == nil {
			t.Errorf("splitOverrides(%q) accepted", bad)
		}
	}
}

func FuzzSplitOverrides(f *testing.F) {
	for _, s := range []string{`A="b c" D=e`, `ParameterKey=K,ParameterValue=V`, `"`, `\"`, "=", "A=\"\\\\\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kvs, err := splitOverrides(s)
		if err == nil {
			for _, kv := range kvs {
				if kv[0] == "" {
					t.Fatalf("splitOverrides(%q) gave an empty key", s)
				}
			}
		}
	})
}

func TestParseSAMConfig(t *testing.T) {
	toml := `version = 0.1
[default.global.parameters]
stack_name = "from-global"
region = "eu-west-1"
[default.deploy.parameters]
stack_name = "orders"
parameter_overrides = "Stage=\"dev\""
[prod.deploy.parameters]
parameter_overrides = ["Stage=prod", "Size=large"]
`
	c, err := parseSAMConfig("samconfig.toml", []byte(toml), "default")
	if err != nil || c.stackName != "orders" || c.region != "eu-west-1" || !reflect.DeepEqual(c.parameterOverrides, []string{`Stage="dev"`}) {
		t.Errorf("default: %+v %v", c, err)
	}
	c, err = parseSAMConfig("samconfig.toml", []byte(toml), "prod")
	if err != nil || c.stackName != "" || len(c.parameterOverrides) != 2 {
		t.Errorf("prod: %+v %v", c, err)
	}
	c, err = parseSAMConfig("samconfig.yaml", []byte("version: 0.1\ndefault:\n  deploy:\n    parameters:\n      stack_name: y\n"), "default")
	if err != nil || c.stackName != "y" {
		t.Errorf("yaml: %+v %v", c, err)
	}
	if _, err := parseSAMConfig("samconfig.toml", []byte("[default"), "default"); err == nil {
		t.Error("a broken file parsed")
	}
}

// TestDeployReadsSAMConfig: virga deploy in a SAM project takes the stack
// name and parameter overrides from samconfig.toml, and the command line
// wins over it.
func TestDeployReadsSAMConfig(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(`Parameters:
  Stage:
    Type: String
  Owner:
    Type: String
    Default: nobody
Resources:
  Topic:
    Type: AWS::SNS::Topic
Outputs:
  Said:
    Value: !Sub "${Stage}/${Owner}"
`), 0o644)
	os.WriteFile(filepath.Join(dir, "samconfig.toml"), []byte(`version = 0.1
[default.deploy.parameters]
stack_name = "configured"
parameter_overrides = "Stage=\"dev stage\" Owner=\"team a\""
`), 0o644)
	run := func(args ...string) string {
		t.Helper()
		cmd := newRootCommand()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(append([]string{"deploy", "-t", filepath.Join(dir, "template.yaml"), "--endpoint-url", env.Endpoint}, args...))
		if err := cmd.ExecuteContext(context.Background()); err != nil {
			t.Fatalf("virga deploy %v: %v\n%s", args, err, out.String())
		}
		return out.String()
	}
	said := func(stack string) string {
		st, err := cloudformation.NewFromConfig(env.Config).DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(st.Stacks[0].Outputs[0].OutputValue)
	}
	if out := run(); !strings.Contains(out, "samconfig.toml") {
		t.Errorf("no word of the configuration file:\n%s", out)
	}
	if got := said("configured"); got != "dev stage/team a" {
		t.Errorf("outputs with the file's overrides: %q", got)
	}
	run("--stack-name", "flagged", "--parameter-overrides", "Stage=prod")
	if got := said("flagged"); got != "prod/nobody" {
		t.Errorf("outputs with the command line's overrides: %q", got)
	}
}
