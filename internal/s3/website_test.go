package s3

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWebsiteBucket(t *testing.T) {
	for host, want := range map[string]string{
		"site.s3-website.localhost:4566":            "site",
		"a.b.s3-website-us-east-1.localhost":        "a.b",
		"Site.s3-website.eu-west-1.amazonaws.com":   "site",
		"s3-website.localhost":                      "",
		"bucket.s3.localhost":                       "",
		"my.s3-website.bucket.s3-website.localhost": "my.s3-website.bucket",
	} {
		if got := websiteBucket(host); got != want {
			t.Errorf("websiteBucket(%q) = %q, want %q", host, got, want)
		}
	}
}

// FuzzWebsiteConfiguration sends arbitrary website documents, then
// requests to the website: nothing is answered with a 500.
func FuzzWebsiteConfiguration(f *testing.F) {
	for _, s := range []string{
		`<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>e.html</Key></ErrorDocument></WebsiteConfiguration>`,
		`<WebsiteConfiguration><RedirectAllRequestsTo><HostName>example.com</HostName><Protocol>https</Protocol></RedirectAllRequestsTo></WebsiteConfiguration>`,
		`<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument><RoutingRules><RoutingRule><Condition><KeyPrefixEquals>a/</KeyPrefixEquals></Condition><Redirect><ReplaceKeyPrefixWith>b/</ReplaceKeyPrefixWith></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>`,
		`<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument><RoutingRules><RoutingRule><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><HttpRedirectCode>302</HttpRedirectCode><ReplaceKeyWith>x</ReplaceKeyWith></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>`,
		`<WebsiteConfiguration/>`, `<<`, ``,
	} {
		f.Add([]byte(s), "/a/b")
	}
	s := newTestService(f, "")
	if w := serve(s, "PUT", "/fuzz", nil); w.Code != 200 {
		f.Fatalf("CreateBucket: %d %s", w.Code, w.Body)
	}
	serve(s, "PUT", "/fuzz/i.html", []byte("index"))
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		w := serveWithMD5(s, "PUT", "/fuzz?website", body)
		if w.Code >= 500 {
			t.Fatalf("PUT ?website with %q: %d %s", body, w.Code, w.Body)
		}
		if len(path) == 0 || path[0] != '/' {
			path = "/" + path
		}
		r, err := http.NewRequest("GET", "http://fuzz.s3-website.localhost", nil)
		if err != nil {
			t.Fatal(err)
		}
		r.URL.Path = path
		rec := httptest.NewRecorder()
		s.Website().ServeHTTP(rec, r)
		if rec.Code >= 500 {
			t.Fatalf("GET %q after %q: %d %s", path, body, rec.Code, rec.Body)
		}
	})
}

// FuzzAccessConfiguration sends arbitrary public access block and
// ownership documents, with their Content-MD5: nothing is answered with
// a 500, and what is accepted reads back.
func FuzzAccessConfiguration(f *testing.F) {
	for _, s := range []string{
		`<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><BlockPublicPolicy>TRUE</BlockPublicPolicy></PublicAccessBlockConfiguration>`,
		`<OwnershipControls><Rule><ObjectOwnership>BucketOwnerPreferred</ObjectOwnership></Rule></OwnershipControls>`,
		`<OwnershipControls><Rule><ObjectOwnership>x</ObjectOwnership></Rule><Rule/></OwnershipControls>`,
		`<PublicAccessBlockConfiguration/>`, `<<`, ``,
	} {
		f.Add([]byte(s))
	}
	s := newTestService(f, "")
	if w := serve(s, "PUT", "/fuzz", nil); w.Code != 200 {
		f.Fatalf("CreateBucket: %d %s", w.Code, w.Body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, sub := range []string{"publicAccessBlock", "ownershipControls"} {
			w := serveWithMD5(s, "PUT", "/fuzz?"+sub, body)
			if w.Code >= 500 {
				t.Fatalf("PUT ?%s with %q: %d %s", sub, body, w.Code, w.Body)
			}
			if w.Code == 200 {
				if g := serve(s, "GET", "/fuzz?"+sub, nil); g.Code != 200 {
					t.Fatalf("GET ?%s after %q: %d %s", sub, body, g.Code, g.Body)
				}
			}
		}
	})
}

// TestWebsiteRedirectCode: a routing rule's HttpRedirectCode is a 3XX
// other than 300.
func TestWebsiteRedirectCode(t *testing.T) {
	t.Parallel()
	s := newTestService(t, "")
	serve(s, "PUT", "/rcb", nil)
	for code, want := range map[string]int{"300": http.StatusBadRequest, "299": http.StatusBadRequest, "301": http.StatusOK, "399": http.StatusOK} {
		cfg := `<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument><RoutingRules><RoutingRule><Redirect><HttpRedirectCode>` +
			code + `</HttpRedirectCode><ReplaceKeyWith>x</ReplaceKeyWith></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>`
		if w := serveWithMD5(s, "PUT", "/rcb?website", []byte(cfg)); w.Code != want {
			t.Errorf("HttpRedirectCode %s: %d %s", code, w.Code, w.Body)
		}
	}
}
