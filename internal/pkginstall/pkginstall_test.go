package pkginstall

import "testing"

func TestReason(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ out, want string }{
		{"npm error code ECONNREFUSED\nnpm error syscall connect\nnpm error errno ECONNREFUSED\n" +
			"npm error FetchError: request to http://127.0.0.1:1/x failed, reason: connect ECONNREFUSED 127.0.0.1:1\n" +
			"npm error     at ClientRequest.<anonymous> (index.js:130:14)\nnpm error A complete log of this run can be found in: /root/.npm/_logs/x.log\n",
			"FetchError: request to http://127.0.0.1:1/x failed, reason: connect ECONNREFUSED 127.0.0.1:1"},
		{"npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/@x%2fy\nnpm error 404\n",
			"404 Not Found - GET https://registry.npmjs.org/@x%2fy"},
		{"ERROR: Could not find a version that satisfies the requirement x==1.* (from versions: 2.0)\nERROR: No matching distribution found for x==1.*\n",
			"ERROR: No matching distribution found for x==1.*"},
		{"", ""},
	} {
		if got := reason(tc.out); got != tc.want {
			t.Errorf("reason(%q) = %q, want %q", tc.out, got, tc.want)
		}
	}
}
