package template

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mustParse parses a template the test expects to be well-formed.
func mustParse(t *testing.T, body string) *Template {
	t.Helper()
	tmpl, err := Parse([]byte(body))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, body)
	}
	return tmpl
}

// readTestdata reads a file under testdata/.
func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantError checks that err is an *Error whose Message is want.
func wantError(t *testing.T, err error, want string) *Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not an *Error", err, err)
	}
	if e.Message != want {
		t.Fatalf("error message\n got: %s\nwant: %s", e.Message, want)
	}
	return e
}

// errNotCreated is the stack's answer for a resource it has not created.
var errNotCreated = errors.New("not created yet")

// stack stands in for the engine: resources it has "created" and the
// exports of other stacks.
type stack struct {
	ids     map[string]string
	attrs   map[string]any // "Resource.Attribute" to value
	exports map[string]string
}

var _ Resolver = (*stack)(nil)

func (s *stack) Ref(id string) (string, error) {
	if v, ok := s.ids[id]; ok {
		return v, nil
	}
	return "", fmt.Errorf("resource %s: %w", id, errNotCreated)
}

func (s *stack) GetAtt(id, attr string) (any, error) {
	if v, ok := s.attrs[id+"."+attr]; ok {
		return v, nil
	}
	return nil, fmt.Errorf("resource %s has no attribute %s", id, attr)
}

func (s *stack) ImportValue(name string) (string, error) {
	if v, ok := s.exports[name]; ok {
		return v, nil
	}
	return "", &Error{Message: "No export named " + name + " found."}
}

// testPseudo are the pseudo parameters the tests use.
var testPseudo = Pseudo{
	Region:    "eu-west-1",
	AccountID: "123456789012",
	StackName: "demo",
	StackID:   "arn:aws:cloudformation:eu-west-1:123456789012:stack/demo/1",
}

// yamlDoc joins lines into a YAML document, so that tests can indent
// templates without tabs.
func yamlDoc(lines ...string) string {
	return strings.Join(lines, "\n") + "\n"
}
