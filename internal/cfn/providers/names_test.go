package providers

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/virga/virga/internal/cfn/resource"
)

func jsonNumber(s string) json.Number { return json.Number(s) }

func TestGeneratedName(t *testing.T) {
	t.Parallel()
	const random = "ABCDEFGHIJKLM"
	for _, tc := range []struct {
		name, stack, logical, suffix string
		max                          int
		want                         string
	}{
		{"fits", "app", "Queue", "", 80, "app-Queue-ABCDEFGHIJKLM"},
		{"fifo suffix kept", "app", "Queue", ".fifo", 80, "app-Queue-ABCDEFGHIJKLM.fifo"},
		{"exactly the limit", "stack", "Fn", "", len("stack-Fn-ABCDEFGHIJKLM"), "stack-Fn-ABCDEFGHIJKLM"},
		{"longer stack name shortened first", strings.Repeat("s", 60), "Function", "", 64, strings.Repeat("s", 41) + "-Function-ABCDEFGHIJKLM"},
		{"both shortened evenly", strings.Repeat("s", 40), strings.Repeat("L", 40), "", 64, strings.Repeat("s", 24) + "-" + strings.Repeat("L", 25) + "-ABCDEFGHIJKLM"},
		{"suffix counts", strings.Repeat("s", 80), "Q", ".fifo", 80, strings.Repeat("s", 80-5-14-2) + "-Q-ABCDEFGHIJKLM.fifo"},
		{"no stack name", "", "Role", "", 64, "Role-ABCDEFGHIJKLM"},
		{"no room for a stem", "stack", "Role", "", 14, "ABCDEFGHIJKLM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := generatedName(tc.stack, tc.logical, random, tc.max, tc.suffix)
			if got != tc.want {
				t.Errorf("generatedName = %q, want %q", got, tc.want)
			}
			if len(got) > tc.max {
				t.Errorf("%q is longer than %d", got, tc.max)
			}
		})
	}
}

func TestRandomPart(t *testing.T) {
	t.Parallel()
	a, b := randomPart(), randomPart()
	if len(a) != randomLen || a == b || strings.ToUpper(a) != a {
		t.Errorf("random parts %q and %q", a, b)
	}
}

func TestCoerce(t *testing.T) {
	t.Parallel()
	in := map[string]any{
		"MemorySize": "256", "Timeout": " 10 ", "Name": "256", "Enabled": "TRUE",
		"Nested": []any{map[string]any{"MemorySize": "x", "Enabled": "false"}},
	}
	got := coerce(in, map[string]kind{"MemorySize": number, "Timeout": number, "Enabled": boolean}).(map[string]any)
	nested := got["Nested"].([]any)[0].(map[string]any)
	if got["MemorySize"] != jsonNumber("256") || got["Timeout"] != jsonNumber("10") || got["Name"] != "256" || got["Enabled"] != true ||
		nested["MemorySize"] != "x" || nested["Enabled"] != false {
		t.Errorf("coerce: %v", got)
	}
	if in["MemorySize"] != "256" {
		t.Error("coerce changed its input")
	}
}

// TestLogicalName: state machines and their aliases are named by their
// logical ID alone, cut so that the name, a hyphen and 12 random letters
// and digits of both cases fit the bound (40 characters for a state
// machine, as CloudFormation names them); a function's name has the
// same random part after its stack's name and logical ID.
func TestLogicalName(t *testing.T) {
	t.Parallel()
	random := regexp.MustCompile(`^[A-Za-z0-9]{12}$`)
	for _, tc := range []struct {
		name, logical string
		max           int
		stem          string
	}{
		{"fits", "Flow", maxLogicalName, "Flow-"},
		{"logical ID cut to 27", "DefaultCustomerApprovalStateMachine", maxLogicalName, "DefaultCustomerApprovalStat-"},
		{"alias bound", strings.Repeat("A", 90), maxAliasName, strings.Repeat("A", 67) + "-"},
		{"no room for the logical ID", "Flow", handlerRandomLen, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &resource.Request{StackName: "stack", LogicalID: tc.logical}
			got := logicalName(r, tc.max)
			rest, ok := strings.CutPrefix(got, tc.stem)
			if !ok || !random.MatchString(rest) || len(got) > tc.max {
				t.Errorf("logicalName = %q, want %q and 12 random letters and digits, within %d", got, tc.stem, tc.max)
			}
		})
	}
	// A function's name has the stack's name too, within Lambda's 64.
	r := &resource.Request{StackName: strings.Repeat("s", 60), LogicalID: "HelloWorldFunction"}
	got := handlerName(r, maxFunctionName)
	rest, ok := strings.CutPrefix(got, strings.Repeat("s", 32)+"-HelloWorldFunction-")
	if !ok || !random.MatchString(rest) || len(got) != maxFunctionName {
		t.Errorf("handlerName = %q, want 32 s, -HelloWorldFunction- and 12 random letters and digits", got)
	}
	if a, b := mixedRandomPart(), mixedRandomPart(); a == b {
		t.Errorf("random parts %q and %q", a, b)
	}
}
