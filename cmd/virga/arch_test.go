package main

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/virga/virga/internal/e2e"
)

// otherArchitecture is a Lambda architecture this machine does not run,
// with its GOARCH.
func otherArchitecture() (lambdaArch, goarch string) {
	if runtime.GOARCH == "arm64" {
		return "x86_64", "amd64"
	}
	return "arm64", "arm64"
}

// TestDeployBuildsForThisMachine deploys a Go function declared for the
// other architecture, built by a Makefile whose recipe fixes GOARCH to
// it, as templates written for Graviton have them: the function is built
// and deployed for this machine, with a notice, and answers.
func TestDeployBuildsForThisMachine(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	dir := t.TempDir()
	lambdaArch, goarch := otherArchitecture()
	tmpl := `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Architectures: [` + lambdaArch + `]
Resources:
  Function:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      CodeUri: "."
      Handler: app
      Runtime: provided.al2023
Outputs:
  Name:
    Value: !Ref Function
`
	makefile := ".PHONY: build-Function\nbuild-Function:\n\tCGO_ENABLED=0 GOOS=linux GOARCH=" + goarch + " go build -o $(ARTIFACTS_DIR)/bootstrap -tags lambda.norpc .\n"
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tmpl), 0o644)
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte(makefile), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte(goFunction), 0o644)
	wd, _ := os.Getwd()
	root := filepath.Dir(filepath.Dir(wd))
	gomod, _ := os.ReadFile(filepath.Join(root, "go.mod"))
	gosum, _ := os.ReadFile(filepath.Join(root, "go.sum"))
	os.WriteFile(filepath.Join(dir, "go.mod"), bytes.Replace(gomod, []byte("module github.com/virga/virga"), []byte("module example.com/fn"), 1), 0o644)
	os.WriteFile(filepath.Join(dir, "go.sum"), gosum, 0o644)

	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "graviton")
	if !strings.Contains(out, "notice: Function: declared for "+lambdaArch+"; virga runs functions natively, so it is built and deployed for "+hostArchitecture()) {
		t.Errorf("virga deploy printed:\n%s", out)
	}
	_, name, _ := strings.Cut(out, "Name: ")
	name, _, _ = strings.Cut(name, "\n")
	lc := lambda.NewFromConfig(env.Config)
	fn, err := lc.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if a := fn.Configuration.Architectures; len(a) != 1 || string(a[0]) != hostArchitecture() {
		t.Errorf("Architectures %v, want [%s]", a, hostArchitecture())
	}
	res, err := lc.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"n":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError != nil || string(res.Payload) != `{"go":true,"got":{"n":1}}` {
		t.Errorf("Invoke: %v %s", aws.ToString(res.FunctionError), res.Payload)
	}
}

// elfHeader is the 64-byte header of an ELF executable for machine m,
// with no program or section headers: enough for debug/elf.
func elfHeader(m elf.Machine) []byte {
	h := make([]byte, 64)
	copy(h, elf.ELFMAG)
	h[elf.EI_CLASS], h[elf.EI_DATA], h[elf.EI_VERSION] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)
	binary.LittleEndian.PutUint16(h[16:], uint16(elf.ET_EXEC))
	binary.LittleEndian.PutUint16(h[18:], uint16(m))
	binary.LittleEndian.PutUint32(h[20:], uint32(elf.EV_CURRENT))
	binary.LittleEndian.PutUint16(h[52:], 64) // header size
	return h
}

// TestCheckExecutable: a native function's executable built for this
// machine is native, one built for another machine fails the build with
// what to change, and interpreted runtimes and layers are not looked at.
func TestCheckExecutable(t *testing.T) {
	t.Parallel()
	other := elf.EM_AARCH64
	if runtime.GOARCH == "arm64" {
		other = elf.EM_X86_64
	}
	host := elf.EM_X86_64
	if runtime.GOARCH == "arm64" {
		host = elf.EM_AARCH64
	}
	dir := t.TempDir()
	write := func(name string, body []byte) {
		os.WriteFile(filepath.Join(dir, name), body, 0o755)
	}
	write("bootstrap", elfHeader(other))
	write("main", elfHeader(host))
	write("script", []byte("#!/bin/sh\n"))

	_, err := checkExecutable(codeLocation{logicalID: "Fn", runtime: "provided.al2023"}, dir)
	lambdaArch, goarch := otherArchitecture()
	if err == nil || err.Error() != "Fn: the build made bootstrap for "+lambdaArch+", but virga runs functions natively on this "+hostArchitecture()+" machine: build it for "+hostArchitecture()+" (for Go, GOARCH="+runtime.GOARCH+")" {
		t.Errorf("foreign bootstrap: %v (other GOARCH %s)", err, goarch)
	}
	for _, c := range []struct {
		loc    codeLocation
		native bool
	}{
		{codeLocation{runtime: "go1.x", handler: "main"}, true},
		{codeLocation{runtime: "go1.x", handler: "script"}, false},
		{codeLocation{runtime: "provided.al2", layer: true}, false},
		{codeLocation{runtime: "python3.12"}, false},
		{codeLocation{runtime: "provided.al2023", handler: "x"}, false},
	} {
		if c.loc.runtime == "provided.al2023" {
			os.Remove(filepath.Join(dir, "bootstrap")) // missing: Lambda says so at start
		}
		native, err := checkExecutable(c.loc, dir)
		if err != nil || native != c.native {
			t.Errorf("%+v: native %v, %v", c.loc, native, err)
		}
	}
}
