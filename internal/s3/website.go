package s3

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Static website hosting: PutBucketWebsite and the others on ?website
// keep a bucket's website configuration, and Website serves the bucket
// at its website endpoint (BUCKET.s3-website.localhost,
// BUCKET.s3-website-REGION.localhost, BUCKET.s3-website.REGION.localhost
// and AWS's own names, which the edge routes here) as S3's website
// endpoints do: anonymous GET and HEAD only, the index document for a
// path that ends in "/", a redirect to "KEY/" when KEY is missing but
// KEY/INDEX exists, the error document (with the error's status) for a
// 4XX, routing rules and x-amz-website-redirect-location redirects, and
// S3's HTML error pages.
//
// Access: virga does not evaluate bucket policies or ACLs, so a website
// serves every object of its bucket, as if its policy granted public
// read. A bucket whose public access block would keep a public policy
// from taking effect (BlockPublicPolicy or RestrictPublicBuckets) answers
// 403 AccessDenied, as on AWS, where such a bucket cannot be public.

// maxRoutingRules: "the website configuration can have up to 50 routing
// rules" (S3 user guide, "Configuring redirects").
const maxRoutingRules = 50

func (s *Service) putBucketWebsite(ctx context.Context, in *PutBucketWebsiteRequest) (*struct{}, error) {
	if _, err := s.bucket(s.store, *in.Bucket); err != nil {
		return nil, err
	}
	if err := checkIntegrity(ctx); err != nil {
		return nil, err
	}
	cfg := in.WebsiteConfiguration
	if err := checkWebsite(cfg); err != nil {
		return nil, err
	}
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.Website = cfg; return nil })
}

func (s *Service) getBucketWebsite(_ context.Context, in *GetBucketWebsiteRequest) (*GetBucketWebsiteOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	w := b.Website
	if w == nil {
		return nil, ErrNoSuchWebsiteConfiguration.WithDetails(&bucketDetails{BucketName: in.Bucket})
	}
	return &GetBucketWebsiteOutput{RedirectAllRequestsTo: w.RedirectAllRequestsTo, IndexDocument: w.IndexDocument,
		ErrorDocument: w.ErrorDocument, RoutingRules: w.RoutingRules}, nil
}

func (s *Service) deleteBucketWebsite(_ context.Context, in *DeleteBucketWebsiteRequest) (*struct{}, error) {
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.Website = nil; return nil })
}

func validProtocol(p *string) bool { return p == nil || *p == "http" || *p == "https" }

var errProtocol = ErrInvalidRequest.WithMessage("Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.")

// checkWebsite checks a website configuration as S3 does.
func checkWebsite(w *WebsiteConfiguration) error {
	if w == nil {
		return ErrMalformedXML
	}
	if r := w.RedirectAllRequestsTo; r != nil {
		if w.IndexDocument != nil || w.ErrorDocument != nil || len(w.RoutingRules) > 0 {
			return invalidArgument("RedirectAllRequestsTo", "not null", "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.")
		}
		if strDeref(r.HostName) == "" {
			return ErrMalformedXML
		}
		if !validProtocol(r.Protocol) {
			return errProtocol
		}
		return nil
	}
	if w.IndexDocument == nil {
		return invalidArgument("IndexDocument", "null", "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty")
	}
	if suffix := strDeref(w.IndexDocument.Suffix); suffix == "" || strings.Contains(suffix, "/") {
		return invalidArgument("IndexDocument", suffix, "The IndexDocument Suffix is not well formed")
	}
	if w.ErrorDocument != nil && strDeref(w.ErrorDocument.Key) == "" {
		return ErrMalformedXML
	}
	if len(w.RoutingRules) > maxRoutingRules {
		return ErrMalformedXML
	}
	for _, r := range w.RoutingRules {
		red := r.Redirect
		if red == nil || red.HostName == nil && red.HttpRedirectCode == nil && red.Protocol == nil &&
			red.ReplaceKeyPrefixWith == nil && red.ReplaceKeyWith == nil {
			return ErrMalformedXML
		}
		if red.ReplaceKeyPrefixWith != nil && red.ReplaceKeyWith != nil {
			return ErrMalformedXML
		}
		if !validProtocol(red.Protocol) {
			return errProtocol
		}
		if c := red.HttpRedirectCode; c != nil {
			if n, err := strconv.Atoi(*c); err != nil || n <= 300 || n > 399 {
				return invalidArgument("HttpRedirectCode", *c, "The provided HTTP redirect code ("+*c+") is not valid. Valid codes are 3XX except 300.")
			}
		}
		if c := r.Condition; c != nil {
			if c.HttpErrorCodeReturnedEquals == nil && c.KeyPrefixEquals == nil {
				return ErrMalformedXML
			}
			if e := c.HttpErrorCodeReturnedEquals; e != nil {
				if n, err := strconv.Atoi(*e); err != nil || n < 400 || n > 599 {
					return invalidArgument("HttpErrorCodeReturnedEquals", *e, "The provided HTTP error code ("+*e+") is not valid. Valid codes are 4XX or 5XX.")
				}
			}
		}
	}
	return nil
}

// Website is the handler of the buckets' website endpoints.
func (s *Service) Website() http.Handler { return http.HandlerFunc(s.serveWebsite) }

// websiteBucket is the bucket a website endpoint's host names.
func websiteBucket(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	host = strings.ToLower(host)
	if i := strings.LastIndex(host, ".s3-website"); i > 0 {
		return host[:i]
	}
	return ""
}

// websiteError is an error page a website endpoint answers.
type websiteError struct {
	status  int
	code    string
	message string
	details [][2]string
}

func (s *Service) serveWebsite(w http.ResponseWriter, r *http.Request) {
	name := websiteBucket(r.Host)
	if id := w.Header().Get("X-Amz-Request-Id"); id != "" {
		sum := sha256.Sum256([]byte(id))
		w.Header().Set("X-Amz-Id-2", base64.StdEncoding.EncodeToString(sum[:]))
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.websiteFail(w, r, &websiteError{status: http.StatusMethodNotAllowed, code: "MethodNotAllowed",
			message: "The specified method is not allowed against this resource.",
			details: [][2]string{{"Method", r.Method}, {"ResourceType", "OBJECT"}}}, nil)
		return
	}
	b, err := s.bucket(s.store, name)
	if err != nil {
		s.websiteFail(w, r, &websiteError{status: http.StatusNotFound, code: "NoSuchBucket",
			message: "The specified bucket does not exist", details: [][2]string{{"BucketName", name}}}, nil)
		return
	}
	cfg := b.Website
	if cfg == nil {
		s.websiteFail(w, r, &websiteError{status: http.StatusNotFound, code: "NoSuchWebsiteConfiguration",
			message: "The specified bucket does not have a website configuration", details: [][2]string{{"BucketName", name}}}, nil)
		return
	}
	if p := b.PublicAccessBlock; p != nil && (isTrue(p.BlockPublicPolicy) || isTrue(p.RestrictPublicBuckets)) {
		s.websiteFail(w, r, &websiteError{status: http.StatusForbidden, code: "AccessDenied", message: "Access Denied"}, nil)
		return
	}
	if ra := cfg.RedirectAllRequestsTo; ra != nil {
		proto := strDeref(ra.Protocol)
		if proto == "" {
			proto = "http"
		}
		http.Redirect(w, r, proto+"://"+*ra.HostName+r.URL.RequestURI(), http.StatusMovedPermanently)
		return
	}
	key := strings.TrimPrefix(r.URL.Path, "/")
	suffix := strDeref(cfg.IndexDocument.Suffix)
	// Routing rules without an error condition apply before the lookup.
	for _, rule := range cfg.RoutingRules {
		if c := rule.Condition; c != nil && c.HttpErrorCodeReturnedEquals != nil {
			continue
		}
		if c := rule.Condition; c == nil || strings.HasPrefix(key, strDeref(c.KeyPrefixEquals)) {
			websiteRedirect(w, r, rule, key)
			return
		}
	}
	lookup := key
	if lookup == "" || strings.HasSuffix(lookup, "/") {
		lookup += suffix
	}
	o, err := s.object(s.store, name, lookup)
	if err == nil && o.DeleteMarker {
		err = noSuchKey(lookup)
	}
	if err != nil {
		// KEY is missing but KEY/INDEX is there: S3 sends the browser to
		// the "folder".
		if key != "" && !strings.HasSuffix(key, "/") {
			if idx, err := s.object(s.store, name, key+"/"+suffix); err == nil && !idx.DeleteMarker {
				http.Redirect(w, r, "/"+key+"/", http.StatusFound)
				return
			}
		}
		s.websiteError(w, r, b, key, &websiteError{status: http.StatusNotFound, code: "NoSuchKey",
			message: "The specified key does not exist.", details: [][2]string{{"Key", lookup}}})
		return
	}
	if o.WebsiteRedirect != "" {
		http.Redirect(w, r, o.WebsiteRedirect, http.StatusMovedPermanently)
		return
	}
	s.websiteObject(w, r, o, http.StatusOK)
}

func isTrue(b *bool) bool { return b != nil && *b }

// websiteError answers a 4XX: a routing rule for its status, else the
// error document, else S3's HTML page.
func (s *Service) websiteError(w http.ResponseWriter, r *http.Request, b *bucketRecord, key string, e *websiteError) {
	code := strconv.Itoa(e.status)
	for _, rule := range b.Website.RoutingRules {
		c := rule.Condition
		if c == nil || strDeref(c.HttpErrorCodeReturnedEquals) != code || !strings.HasPrefix(key, strDeref(c.KeyPrefixEquals)) {
			continue
		}
		websiteRedirect(w, r, rule, key)
		return
	}
	doc := b.Website.ErrorDocument
	if doc == nil {
		s.websiteFail(w, r, e, nil)
		return
	}
	o, err := s.object(s.store, b.Name, strDeref(doc.Key))
	if err != nil || o.DeleteMarker {
		s.websiteFail(w, r, e, &websiteError{status: http.StatusNotFound, code: "NoSuchKey",
			message: "The specified key does not exist.", details: [][2]string{{"Key", strDeref(doc.Key)}}})
		return
	}
	s.websiteObject(w, r, o, e.status)
}

// websiteRedirect answers a routing rule's redirect.
func websiteRedirect(w http.ResponseWriter, r *http.Request, rule RoutingRule, key string) {
	red := rule.Redirect
	target := key
	switch {
	case red.ReplaceKeyWith != nil:
		target = *red.ReplaceKeyWith
	case red.ReplaceKeyPrefixWith != nil:
		prefix := ""
		if rule.Condition != nil {
			prefix = strDeref(rule.Condition.KeyPrefixEquals)
		}
		target = *red.ReplaceKeyPrefixWith + strings.TrimPrefix(key, prefix)
	}
	host := strDeref(red.HostName)
	if host == "" {
		host = r.Host
	}
	proto := strDeref(red.Protocol)
	if proto == "" {
		proto = "http"
		if r.TLS != nil {
			proto = "https"
		}
	}
	status := http.StatusMovedPermanently
	if c := red.HttpRedirectCode; c != nil {
		status, _ = strconv.Atoi(*c)
	}
	w.Header().Set("Location", proto+"://"+host+"/"+(&url.URL{Path: target}).EscapedPath())
	w.WriteHeader(status)
}

// websiteObject sends an object's bytes with its headers.
func (s *Service) websiteObject(w http.ResponseWriter, r *http.Request, o *objectRecord, status int) {
	h := w.Header()
	h.Set("Content-Type", contentTypeOf(o))
	h.Set("Content-Length", strconv.FormatInt(o.Size, 10))
	h.Set("ETag", o.ETag)
	h.Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
	for k, v := range map[string]string{"Content-Encoding": o.ContentEncoding, "Content-Disposition": o.ContentDisposition,
		"Content-Language": o.ContentLanguage, "Cache-Control": o.CacheControl, "Expires": o.Expires} {
		if v != "" {
			h.Set(k, v)
		}
	}
	keys := make([]string, 0, len(o.Metadata))
	for k := range o.Metadata {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		h.Set("X-Amz-Meta-"+k, o.Metadata[k])
	}
	if status == http.StatusOK && r.Header.Get("If-None-Match") != "" && etagMatches(r.Header.Get("If-None-Match"), o.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	rd := &segmentReader{blobs: s.blobs, segments: o.Segments, off: 0, n: o.Size}
	defer rd.Close()
	io.Copy(w, rd)
}

// websiteFail answers S3's HTML error page; docErr is the error reading
// the error document, when that failed too.
func (s *Service) websiteFail(w http.ResponseWriter, r *http.Request, e, docErr *websiteError) {
	h := w.Header()
	requestID := h.Get("X-Amz-Request-Id")
	hostID := h.Get("X-Amz-Id-2")
	h.Set("Content-Type", "text/html; charset=utf-8")
	title := fmt.Sprintf("%d %s", e.status, http.StatusText(e.status))
	var b strings.Builder
	list := func(e *websiteError) {
		b.WriteString("<ul>\n")
		fmt.Fprintf(&b, "<li>Code: %s</li>\n<li>Message: %s</li>\n", e.code, html.EscapeString(e.message))
		for _, d := range e.details {
			fmt.Fprintf(&b, "<li>%s: %s</li>\n", d[0], html.EscapeString(d[1]))
		}
		fmt.Fprintf(&b, "<li>RequestId: %s</li>\n<li>HostId: %s</li>\n</ul>\n", requestID, hostID)
	}
	fmt.Fprintf(&b, "<html>\n<head><title>%s</title></head>\n<body>\n<h1>%s</h1>\n", title, title)
	list(e)
	if docErr != nil {
		b.WriteString("<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n")
		list(docErr)
	}
	b.WriteString("<hr/>\n</body>\n</html>\n")
	if e.code != "" {
		h.Set("X-Amz-Error-Code", e.code)
		h.Set("X-Amz-Error-Message", e.message)
	}
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead {
		io.WriteString(w, b.String())
	}
}
