package dynref

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	arn := "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbC123"
	for _, tc := range []struct {
		in   string
		want Ref
		bad  bool
	}{
		{in: "{{resolve:ssm:/app/name}}", want: Ref{Service: SSM, Name: "/app/name"}},
		{in: "{{resolve:ssm:plain:3}}", want: Ref{Service: SSM, Name: "plain", Version: 3}},
		{in: "{{resolve:ssm-secure:/db/pw:1}}", want: Ref{Service: SSMSecure, Name: "/db/pw", Version: 1}},
		{in: "{{resolve:ssm:/x:latest}}", bad: true},
		{in: "{{resolve:ssm:/x:0}}", bad: true},
		{in: "{{resolve:ssm:}}", bad: true},
		{in: "{{resolve:secretsmanager:MySecret}}", want: Ref{Service: SecretsManager, SecretID: "MySecret"}},
		{in: "{{resolve:secretsmanager:MySecret:SecretString:password}}", want: Ref{Service: SecretsManager, SecretID: "MySecret", JSONKey: "password"}},
		{in: "{{resolve:secretsmanager:MySecret::password:AWSPREVIOUS}}", want: Ref{Service: SecretsManager, SecretID: "MySecret", JSONKey: "password", VersionStage: "AWSPREVIOUS"}},
		{in: "{{resolve:secretsmanager:MySecret:SecretString:::0123}}", want: Ref{Service: SecretsManager, SecretID: "MySecret", VersionID: "0123"}},
		{in: "{{resolve:secretsmanager:" + arn + "}}", want: Ref{Service: SecretsManager, SecretID: arn}},
		{in: "{{resolve:secretsmanager:" + arn + ":SecretString:user}}", want: Ref{Service: SecretsManager, SecretID: arn, JSONKey: "user"}},
		{in: "{{resolve:secretsmanager:MySecret:SecretBinary}}", bad: true},
		{in: "{{resolve:secretsmanager:MySecret:SecretString:k:AWSCURRENT:id}}", bad: true},
		{in: "{{resolve:secretsmanager:MySecret:SecretString:k:s:i:extra}}", bad: true},
		{in: "{{resolve:secretsmanager:arn:aws:secretsmanager}}", bad: true},
		{in: "{{resolve:s3:bucket}}", bad: true},
		{in: "{{resolve:ssm}}", bad: true},
	} {
		got, err := Parse(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("Parse(%q) = %+v, want an error", tc.in, got)
			}
			continue
		}
		tc.want.Text = tc.in
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

type fake map[string]string

func (f fake) Resolve(_ context.Context, r Ref) (string, error) {
	if v, ok := f[r.Name+r.SecretID]; ok {
		return v, nil
	}
	return "", errors.New("not found: " + r.Name + r.SecretID)
}

func TestResolve(t *testing.T) {
	rs := map[string]Resolver{SSM: fake{"/a": "A", "/b": "B"}, SSMSecure: fake{"/s": "S"}, SecretsManager: fake{"sec": "P"}}
	in := map[string]any{
		"Environment": map[string]any{"Variables": map[string]any{
			"BOTH": "x-{{resolve:ssm:/a}}-{{resolve:ssm:/b:2}}-y",
			"PW":   "{{resolve:secretsmanager:sec:SecretString:pw}}",
		}},
		"List":   []any{"{{resolve:ssm:/a}}", 3},
		"Plain":  "no reference",
		"Number": 4,
	}
	got, err := Resolve(context.Background(), in, "AWS::Lambda::Function", rs)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"Environment": map[string]any{"Variables": map[string]any{"BOTH": "x-A-B-y", "PW": "P"}},
		"List":        []any{"A", 3}, "Plain": "no reference", "Number": 4,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Resolve = %#v", got)
	}
	if in["List"].([]any)[0] != "{{resolve:ssm:/a}}" {
		t.Error("Resolve changed its input")
	}

	_, err = Resolve(context.Background(), map[string]any{"Environment": map[string]any{"Variables": map[string]any{"S": "{{resolve:ssm-secure:/s}}"}}}, "AWS::Lambda::Function", rs)
	if err == nil || err.Error() != "SSM Secure reference is not supported in: [AWS::Lambda::Function/Properties/Environment/Variables/S]" {
		t.Errorf("ssm-secure in a function: %v", err)
	}
	got, err = Resolve(context.Background(), map[string]any{"MasterUserPassword": "{{resolve:ssm-secure:/s}}"}, "AWS::RDS::DBInstance", rs)
	if err != nil || got.(map[string]any)["MasterUserPassword"] != "S" {
		t.Errorf("ssm-secure in MasterUserPassword = %v, %v", got, err)
	}
	got, err = Resolve(context.Background(), map[string]any{"RdsDbInstances": []any{map[string]any{"DbPassword": "{{resolve:ssm-secure:/s}}"}}}, "AWS::OpsWorks::Stack", rs)
	if err != nil {
		t.Errorf("ssm-secure in a list element's property: %v", err)
	}
	_, err = Resolve(context.Background(), "{{resolve:ssm:/missing}}", "AWS::SQS::Queue", rs)
	var de *Error
	if !errors.As(err, &de) || !strings.Contains(de.Message, "/missing") {
		t.Errorf("missing parameter: %v", err)
	}
	_, err = Resolve(context.Background(), "{{resolve:ssm:/a", "AWS::SQS::Queue", rs)
	if err == nil {
		t.Error("an unterminated reference resolved")
	}
}
