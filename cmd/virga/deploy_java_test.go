package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/functions/javatest"
)

const javaTemplate = `Transform: AWS::Serverless-2016-10-31
Resources:
  FromClasses:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: classes/
      Handler: example.Pojos::upper
      Runtime: java21
  FromJar:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: target/app.jar
      Handler: example.Streams
      Runtime: java17
Outputs:
  ClassesArn:
    Value: !GetAtt FromClasses.Arn
  JarArn:
    Value: !GetAtt FromJar.Arn
`

// TestDeployJava deploys Java functions whose CodeUri is a directory of
// compiled classes and a jar; a Maven project is refused with a message
// that says virga does not build Java.
func TestDeployJava(t *testing.T) {
	t.Parallel()
	pkg := javatest.Build(t)
	env := e2e.Start(t)
	dir := t.TempDir()
	if err := copyTree(pkg.CodeDir, filepath.Join(dir, "classes")); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "target"), 0o755)
	os.WriteFile(filepath.Join(dir, "target", "app.jar"), javatest.Zip(t, pkg.CodeDir), 0o644)
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(javaTemplate), 0o644)
	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "java")
	lc := lambda.NewFromConfig(env.Config)
	for _, c := range []struct{ key, payload, want string }{
		{"ClassesArn", `"deployed"`, `"DEPLOYED"`},
		{"JarArn", `"jar"`, `echo:"jar":java-FromJar-`},
	} {
		arn := outputValue(out, c.key)
		res, err := lc.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(arn), Payload: []byte(c.payload)})
		if err != nil || res.FunctionError != nil || !strings.HasPrefix(string(res.Payload), c.want) {
			t.Errorf("%s (%s): %v %s, want %s", c.key, arn, err, res.Payload, c.want)
		}
	}

	os.WriteFile(filepath.Join(dir, "classes", "pom.xml"), []byte("<project/>"), 0o644)
	cmd := newRootCommand()
	var printed bytes.Buffer
	cmd.SetOut(&printed)
	cmd.SetErr(&printed)
	cmd.SetArgs([]string{"deploy", "-t", filepath.Join(dir, "template.yaml"), "--stack-name", "java", "--endpoint-url", env.Endpoint})
	err := cmd.ExecuteContext(context.Background())
	if err == nil || !strings.Contains(err.Error(), "FromClasses: ") ||
		!strings.Contains(err.Error(), "is a Java project (pom.xml) that sam build would build with Maven; virga deploy does not build Java") {
		t.Errorf("deploying a Maven project: %v\n%s", err, printed.String())
	}
}
