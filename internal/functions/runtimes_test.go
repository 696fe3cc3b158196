package functions

import (
	"errors"
	"testing"
)

// The runtime table: each identifier Lambda names resolves to how virga
// runs it, or to why it cannot.
func TestResolveRuntime(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]runtimeInfo{
		"provided.al2023": {kind: kindProvided}, "provided.al2": {kind: kindProvided}, "provided": {kind: kindProvided},
		"go1.x":      {kind: kindGo},
		"python3.13": {kind: kindPython, version: "3.13"}, "python3.9": {kind: kindPython, version: "3.9"},
		"nodejs22.x": {kind: kindNode, version: "22"}, "nodejs18.x": {kind: kindNode, version: "18"},
		"ruby3.3": {kind: kindRuby, version: "3.3"},
		"java21":  {kind: kindJava, version: "21"}, "java8.al2": {kind: kindJava, version: "8"},
	} {
		rt, err := resolveRuntime(id)
		if want.id = id; err != nil || rt != want {
			t.Errorf("%s: %+v, %v; want %+v", id, rt, err, want)
		}
	}
	for id, want := range map[string]RuntimeReason{
		"dotnet8": RuntimeNotYet, "dotnet10": RuntimeNotYet,
		"python2.7": RuntimeUnknown, "nodejs": RuntimeUnknown, "nodejs22": RuntimeUnknown, "java8": RuntimeUnknown, "cobol": RuntimeUnknown,
	} {
		var re *RuntimeError
		if _, err := resolveRuntime(id); !errors.As(err, &re) || re.Type != TypeInvalidRuntime || re.Reason != want {
			t.Errorf("%s: %v, want reason %d", id, err, want)
		}
	}
}

func TestSuccessor(t *testing.T) {
	t.Parallel()
	if next, ok := Successor("python3.8"); !ok || next != "python3.13" {
		t.Errorf("python3.8: %q, %v", next, ok)
	}
	if next, ok := Successor("python3.12"); ok {
		t.Errorf("python3.12 retired for %q", next)
	}
}
