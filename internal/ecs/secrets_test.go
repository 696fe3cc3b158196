package ecs

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

type fakeValues struct {
	secrets map[string]string // id|version|stage
	params  map[string]string
	objects map[string]string // bucket/key
}

func (f fakeValues) SecretString(_ context.Context, id, versionID, stage string) (string, error) {
	if v, ok := f.secrets[id+"|"+versionID+"|"+stage]; ok {
		return v, nil
	}
	return "", errors.New("ResourceNotFoundException: Secrets Manager can't find the specified secret.")
}

func (f fakeValues) Parameter(_ context.Context, name string) (string, error) {
	if v, ok := f.params[name]; ok {
		return v, nil
	}
	return "", errors.New("ParameterNotFound")
}

func (f fakeValues) ObjectBytes(_ context.Context, bucket, key string) ([]byte, error) {
	if v, ok := f.objects[bucket+"/"+key]; ok {
		return []byte(v), nil
	}
	return nil, errors.New("NoSuchKey: The specified key does not exist.")
}

func TestParseValueFrom(t *testing.T) {
	arn := "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf"
	for _, c := range []struct {
		in   string
		want secretRef
	}{
		{arn, secretRef{secret: true, id: arn}},
		{arn + ":password::", secretRef{secret: true, id: arn, jsonKey: "password"}},
		{arn + "::AWSPREVIOUS:", secretRef{secret: true, id: arn, stage: "AWSPREVIOUS"}},
		{arn + ":::v1", secretRef{secret: true, id: arn, versionID: "v1"}},
		{"arn:aws:ssm:us-east-1:000000000000:parameter/db", secretRef{id: "db"}},
		{"arn:aws:ssm:us-east-1:000000000000:parameter/app/db", secretRef{id: "/app/db"}},
		{"/app/db", secretRef{id: "/app/db"}},
	} {
		c.want.raw = c.in
		if got := parseValueFrom(c.in); got != c.want {
			t.Errorf("parseValueFrom(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestAddSecrets(t *testing.T) {
	arn := "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf"
	s := &Service{}
	f := fakeValues{
		secrets: map[string]string{arn + "||": `{"user":"admin","port":5432}`, arn + "||AWSPREVIOUS": "old"},
		params:  map[string]string{"/app/token": "tok"},
		objects: map[string]string{"cfg/a.env": "# comment\nA=file\nB=file-b\n\nC=x=y\n", "cfg/b.env": "B=second\nD=d\n"},
	}
	s.secretValues, s.parameters, s.objects = f, f, f
	def := TaskDefinition{ContainerDefinitions: []ContainerDefinition{{
		Name: ptr("app"),
		Secrets: []Secret{
			{Name: ptr("USER"), ValueFrom: ptr(arn + ":user::")},
			{Name: ptr("PORT"), ValueFrom: ptr(arn + ":port::")},
			{Name: ptr("OLD"), ValueFrom: ptr(arn + "::AWSPREVIOUS:")},
			{Name: ptr("TOKEN"), ValueFrom: ptr("arn:aws:ssm:us-east-1:000000000000:parameter/app/token")},
		},
		EnvironmentFiles: []EnvironmentFile{{Value: ptr("arn:aws:s3:::cfg/a.env")}, {Value: ptr("arn:aws:s3:::cfg/b.env")}},
	}}}
	spec := TaskSpec{Containers: []ContainerSpec{{Name: "app", Env: []string{"A=environment"}}}}
	if err := s.addSecrets(context.Background(), def, "", "", &spec); err != nil {
		t.Fatal(err)
	}
	want := []string{"A=environment", "B=file-b", "C=x=y", "D=d", "USER=admin", "PORT=5432", "OLD=old", "TOKEN=tok"}
	if !reflect.DeepEqual(spec.Containers[0].Env, want) {
		t.Fatalf("env = %q, want %q", spec.Containers[0].Env, want)
	}

	for _, c := range []struct{ valueFrom, want string }{
		{arn + "-missing", "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret " + arn + "-missing from secrets manager: ResourceNotFoundException"},
		{arn + ":nokey::", "did not contain json key nokey"},
		{"/app/missing", "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid parameters: /app/missing"},
	} {
		def.ContainerDefinitions[0].Secrets = []Secret{{Name: ptr("X"), ValueFrom: ptr(c.valueFrom)}}
		def.ContainerDefinitions[0].EnvironmentFiles = nil
		err := s.addSecrets(context.Background(), def, "", "", &TaskSpec{Containers: []ContainerSpec{{Name: "app"}}})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.valueFrom, err, c.want)
		}
	}
	def.ContainerDefinitions[0].Secrets = nil
	def.ContainerDefinitions[0].EnvironmentFiles = []EnvironmentFile{{Value: ptr("arn:aws:s3:::cfg/none.env")}}
	err := s.addSecrets(context.Background(), def, "", "", &TaskSpec{Containers: []ContainerSpec{{Name: "app"}}})
	if err == nil || !strings.HasPrefix(err.Error(), "ResourceInitializationError: failed to download env files:") {
		t.Errorf("missing env file: err = %v", err)
	}
}
