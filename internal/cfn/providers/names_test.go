package providers

import (
	"encoding/json"
	"strings"
	"testing"
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
