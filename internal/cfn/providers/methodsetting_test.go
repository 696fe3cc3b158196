package providers

import "testing"

// TestMethodSettingPath: a method setting's ResourcePath, escaped as
// CloudFormation documents it or written plainly, is patched at the one
// path UpdateStage knows the method by.
func TestMethodSettingPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ resourcePath, method, want string }{
		{"/*", "*", "/*/*"},
		{"/", "GET", "/~1/GET"},
		{"/~1fast", "GET", "/~1fast/GET"},
		{"/fast", "GET", "/~1fast/GET"},
		{"/~1pets~1{id}", "POST", "/~1pets~1{id}/POST"},
		{"/pets/{id}", "", "/~1pets~1{id}/*"},
	} {
		got := methodSettingPath(props{"ResourcePath": tc.resourcePath, "HttpMethod": tc.method})
		if got != tc.want {
			t.Errorf("ResourcePath %q, HttpMethod %q: %q, want %q", tc.resourcePath, tc.method, got, tc.want)
		}
	}
}
