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
confirm_changeset = true
tags = "a=1"
[prod.deploy.parameters]
parameter_overrides = ["Stage=prod", "Size=large"]
no_execute_changeset = "true"
`
	c, err := parseSAMConfig("samconfig.toml", []byte(toml), "default")
	if err != nil || c.stackName != "orders" || c.region != "eu-west-1" || !reflect.DeepEqual(c.parameterOverrides, []string{`Stage="dev"`}) {
		t.Errorf("default: %+v %v", c, err)
	}
	if c.confirm == nil || !*c.confirm || c.noExecute != nil || !reflect.DeepEqual(c.tags, []string{"a=1"}) {
		t.Errorf("default's flags and tags: %+v", c)
	}
	c, err = parseSAMConfig("samconfig.toml", []byte(toml), "prod")
	if err != nil || c.stackName != "" || len(c.parameterOverrides) != 2 {
		t.Errorf("prod: %+v %v", c, err)
	}
	if c.noExecute == nil || !*c.noExecute || c.confirm != nil {
		t.Errorf("prod's flags: %+v", c)
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

// TestDeploySAMConfigAsGuidedWritesIt: the deploy parameters sam deploy
// --guided saves are understood: confirm_changeset asks before executing
// (no answer leaves the change set unexecuted, y executes it), tags tag
// the stack, and a parameter virga deploy does not use is named.
func TestDeploySAMConfigAsGuidedWritesIt(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "samconfig.toml"), []byte(`version = 0.1
[default.global.parameters]
stack_name = "guided"
[default.deploy.parameters]
capabilities = "CAPABILITY_IAM"
confirm_changeset = true
resolve_s3 = true
s3_prefix = "guided"
region = "us-east-1"
image_repositories = []
tags = "team=\"a b\" cost=1"
watch_dog = 3
`), 0o644)
	run := func(answer string) string {
		t.Helper()
		cmd := newRootCommand()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetIn(strings.NewReader(answer))
		cmd.SetArgs([]string{"deploy", "-t", filepath.Join(dir, "template.yaml"), "--endpoint-url", env.Endpoint})
		if err := cmd.ExecuteContext(context.Background()); err != nil {
			t.Fatalf("virga deploy: %v\n%s", err, out.String())
		}
		return out.String()
	}
	cf := cloudformation.NewFromConfig(env.Config)
	out := run("\n")
	if !strings.Contains(out, "Deploy this changeset? [y/N]") || !strings.Contains(out, "not executed") {
		t.Errorf("no question, or executed anyway:\n%s", out)
	}
	if !strings.Contains(out, "does not use the deploy parameter watch_dog") || strings.Contains(out, "s3_prefix") {
		t.Errorf("unused parameters not named as such:\n%s", out)
	}
	st, err := cf.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String("guided")})
	if err != nil || st.Stacks[0].StackStatus != "REVIEW_IN_PROGRESS" {
		t.Fatalf("after no: %v %v", st, err)
	}
	if out := run("y\n"); !strings.Contains(out, "Successfully created") {
		t.Errorf("y did not deploy:\n%s", out)
	}
	st, err = cf.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String("guided")})
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{}
	for _, tg := range st.Stacks[0].Tags {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if st.Stacks[0].StackStatus != "CREATE_COMPLETE" || !reflect.DeepEqual(tags, map[string]string{"team": "a b", "cost": "1"}) {
		t.Errorf("stack %s, tags %v", st.Stacks[0].StackStatus, tags)
	}
}

// TestGatherNargs: as with sam deploy, the words after --parameter-overrides
// (or --tags), up to the next flag, are all its overrides, a word with a
// space in it staying one override; other arguments are untouched.
func TestGatherNargs(t *testing.T) {
	args := gatherNargs([]string{"deploy", "--parameter-overrides", "Bucket=src", "Queue=q", "Note=two words",
		"--stack-name", "s", "--tags", "team=a", "ParameterKey=x,ParameterValue=y", "--parameter-overrides=Extra=1", "More=2"})
	want := []string{"deploy", "--parameter-overrides", `Bucket=src Queue=q "Note=two words"`,
		"--stack-name", "s", "--tags", "team=a ParameterKey=x,ParameterValue=y", "--parameter-overrides", "Extra=1 More=2"}
	if !reflect.DeepEqual(args, want) {
		t.Fatalf("gatherNargs = %q\nwant %q", args, want)
	}
	got, err := parseOverrides([]string{args[2], args[8]})
	if err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for _, p := range got {
		pairs = append(pairs, aws.ToString(p.ParameterKey)+"="+aws.ToString(p.ParameterValue))
	}
	if strings.Join(pairs, "|") != "Bucket=src|Queue=q|Note=two words|Extra=1|More=2" {
		t.Errorf("overrides %q", pairs)
	}
	// A quoted list in one word, the form virga took before, still works.
	if a := gatherNargs([]string{"--parameter-overrides", "A=1 B=2", "-t", "x.yaml"}); !reflect.DeepEqual(a, []string{"--parameter-overrides", "A=1 B=2", "-t", "x.yaml"}) {
		t.Errorf("one quoted word: %q", a)
	}
}

// TestDeployTakesSAMDeployCommandLine: sam deploy's command line, as a
// README or a CI script has it, runs as it is: --capabilities with
// several values, the S3 options virga has no use for, --guided (which
// asks nothing), and --no-confirm-changeset over the configuration's
// confirm_changeset = true that sam deploy --guided writes.
func TestDeployTakesSAMDeployCommandLine(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "samconfig.toml"), []byte(`version = 0.1
[default.deploy.parameters]
stack_name = "ci"
confirm_changeset = true
`), 0o644)
	cmd := newRootCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetIn(strings.NewReader(""))
	cmd.SetArgs(gatherNargs([]string{"deploy", "-t", filepath.Join(dir, "template.yaml"), "--endpoint-url", env.Endpoint,
		"--guided", "--no-confirm-changeset", "--no-fail-on-empty-changeset", "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND",
		"--resolve-s3", "--s3-prefix", "ci", "--force-upload"}))
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("virga deploy: %v\n%s", err, out.String())
	}
	if s := out.String(); !strings.Contains(s, "Successfully created") || strings.Contains(s, "Deploy this changeset?") || !strings.Contains(s, "--guided: virga deploy asks no questions") {
		t.Errorf("virga deploy printed:\n%s", s)
	}
}

// TestDeployNothingToChange: as sam deploy, a deploy with nothing to
// change fails, saying so, unless --no-fail-on-empty-changeset or the
// SAM configuration's fail_on_empty_changeset = false says otherwise;
// new stack tags alone are a change.
func TestDeployNothingToChange(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "template.yaml")
	os.WriteFile(tmpl, []byte("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"), 0o644)
	run := func(args ...string) (string, error) { return runDeploy(env, tmpl, "unchanged", args...) }
	if out, err := run(); err != nil {
		t.Fatalf("first deploy: %v\n%s", err, out)
	}
	const msg = "No changes to deploy. Stack unchanged is up to date"
	if out, err := run(); err == nil || err.Error() != msg {
		t.Errorf("a deploy of nothing new: %v\n%s", err, out)
	}
	if out, err := run("--no-fail-on-empty-changeset"); err != nil || !strings.Contains(out, msg) {
		t.Errorf("--no-fail-on-empty-changeset: %v\n%s", err, out)
	}
	os.WriteFile(filepath.Join(dir, "samconfig.toml"), []byte("version = 0.1\n[default.deploy.parameters]\nfail_on_empty_changeset = false\n"), 0o644)
	if out, err := run(); err != nil || !strings.Contains(out, msg) || strings.Contains(out, "fail_on_empty_changeset") {
		t.Errorf("fail_on_empty_changeset = false: %v\n%s", err, out)
	}
	if out, err := run("--fail-on-empty-changeset"); err == nil {
		t.Errorf("--fail-on-empty-changeset over the file: succeeded\n%s", out)
	}
	if out, err := run("--tags", "team=blue"); err != nil || !strings.Contains(out, "UPDATE_COMPLETE") {
		t.Errorf("a deploy of new tags: %v\n%s", err, out)
	}
}
