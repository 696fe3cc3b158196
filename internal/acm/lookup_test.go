package acm

import "testing"

func TestCertificateCovers(t *testing.T) {
	t.Parallel()
	c := Certificate{Names: []string{"*.example.com", "example.org"}}
	for host, want := range map[string]bool{
		"api.example.com": true, "API.Example.com.": true, "a.b.example.com": false, "example.com": false,
		"example.org": true, "www.example.org": false, "": false, ".example.com": false,
	} {
		if got := c.Covers(host); got != want {
			t.Errorf("Covers(%q) = %v, want %v", host, got, want)
		}
	}
}
