package s3

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/wildcard"
)

// CORS: a bucket's rules answer browsers' preflight requests (OPTIONS,
// which browsers never sign) and add the Access-Control-* headers to the
// responses of requests that carry an Origin, as S3 does.

var (
	errCORSDisabled   = apierr.New("AccessForbidden", http.StatusForbidden, "CORSResponse: CORS is not enabled for this bucket.")
	errCORSNotAllowed = apierr.New("AccessForbidden", http.StatusForbidden, "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.")
	errCORSNoOrigin   = apierr.New("BadRequest", http.StatusBadRequest, "Insufficient information. Origin request header needed.")
	errCORSNoMethod   = apierr.New("BadRequest", http.StatusBadRequest, "Invalid Access-Control-Request-Method: null")
)

// A CORS rule's AllowedOrigin and AllowedHeader entries may each hold
// one '*' (PutBucketCors refuses more); origins compare exactly and
// header names ignoring case.
const (
	corsOriginFlags = wildcard.Flags(0)
	corsHeaderFlags = wildcard.FoldCase
)

// checkCORSWildcards refuses an AllowedOrigin or AllowedHeader with more
// than one '*', as S3 does: "The origin string can contain only one *
// wildcard character", and likewise each AllowedHeader. An ExposeHeader
// may hold none: S3 answers InvalidRequest "ExposeHeader "*" contains
// wildcard. We currently do not support wildcard for ExposeHeader." (the
// Access-Control-Expose-Headers wildcard is not S3's to give).
func checkCORSWildcards(r CORSRule) error {
	for _, v := range r.ExposeHeaders {
		if strings.Contains(v, "*") {
			return ErrInvalidRequest.WithMessage(`ExposeHeader "` + v + `" contains wildcard. We currently do not support wildcard for ExposeHeader.`)
		}
	}
	for _, e := range []struct {
		name   string
		values []string
	}{{"AllowedOrigin", r.AllowedOrigins}, {"AllowedHeader", r.AllowedHeaders}} {
		for _, v := range e.values {
			if strings.Count(v, "*") > 1 {
				return ErrInvalidRequest.WithMessage(e.name + ` "` + v + `" can not have more than one wildcard.`)
			}
		}
	}
	return nil
}

// corsRule finds the first rule that allows origin, method and headers.
func corsRule(rules []CORSRule, origin, method string, headers []string) *CORSRule {
	for i := range rules {
		r := &rules[i]
		ok := false
		for _, o := range r.AllowedOrigins {
			if wildcard.Match(o, origin, corsOriginFlags) {
				ok = true
				break
			}
		}
		if !ok || !containsFold(r.AllowedMethods, method) {
			continue
		}
		allowed := true
		for _, h := range headers {
			hit := false
			for _, p := range r.AllowedHeaders {
				if wildcard.Match(p, h, corsHeaderFlags) {
					hit = true
					break
				}
			}
			if !hit {
				allowed = false
				break
			}
		}
		if allowed {
			return r
		}
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// corsHeaders writes the Access-Control-* headers a rule grants.
func corsHeaders(h http.Header, r *CORSRule, origin string, preflight bool, requested []string) {
	allowOrigin := origin
	if containsFold(r.AllowedOrigins, "*") {
		allowOrigin = "*"
	} else {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Allow-Origin", allowOrigin)
	h.Set("Access-Control-Allow-Methods", strings.Join(r.AllowedMethods, ", "))
	h.Add("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
	if len(r.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(r.ExposeHeaders, ", "))
	}
	if r.MaxAgeSeconds != nil {
		h.Set("Access-Control-Max-Age", strconv.Itoa(int(*r.MaxAgeSeconds)))
	}
	if preflight && len(requested) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(requested, ", "))
	}
}

func splitHeaderList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.ToLower(p))
		}
	}
	return out
}

// preflightInput is a CORS preflight to a bucket: what the browser asks
// for.
type preflightInput struct {
	Bucket  *string `aws:"loc=uri,locname=Bucket,required"`
	Origin  *string `aws:"loc=header,locname=Origin"`
	Method  *string `aws:"loc=header,locname=Access-Control-Request-Method"`
	Headers *string `aws:"loc=header,locname=Access-Control-Request-Headers"`
}

// preflightObjectInput is a CORS preflight to an object.
type preflightObjectInput struct {
	Bucket  *string `aws:"loc=uri,locname=Bucket,required"`
	Key     *string `aws:"loc=uri,locname=Key"`
	Origin  *string `aws:"loc=header,locname=Origin"`
	Method  *string `aws:"loc=header,locname=Access-Control-Request-Method"`
	Headers *string `aws:"loc=header,locname=Access-Control-Request-Headers"`
}

func (s *Service) preflightObject(ctx context.Context, in *preflightObjectInput) (*struct{}, error) {
	return s.preflight(ctx, &preflightInput{Bucket: in.Bucket, Origin: in.Origin, Method: in.Method, Headers: in.Headers})
}

func (s *Service) preflight(_ context.Context, in *preflightInput) (*struct{}, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	if in.Origin == nil || *in.Origin == "" {
		return nil, errCORSNoOrigin
	}
	if in.Method == nil || *in.Method == "" {
		return nil, errCORSNoMethod
	}
	if len(b.CORS) == 0 {
		return nil, errCORSDisabled
	}
	if corsRule(b.CORS, *in.Origin, *in.Method, splitHeaderList(strDeref(in.Headers))) == nil {
		return nil, errCORSNotAllowed
	}
	return nil, nil // protocol.Encode adds the headers the rule grants
}

// corsResponse adds to h the Access-Control-* headers the bucket's rules
// grant the request, if it carries an Origin: for a preflight, what it
// asks for; otherwise its own method.
func (s *Service) corsResponse(c *awsproto.Call, h http.Header) {
	r := c.Request
	origin := r.Header.Get("Origin")
	bucket := c.Params["Bucket"]
	if origin == "" || bucket == "" {
		return
	}
	b, err := s.bucket(s.store, bucket)
	if err != nil || len(b.CORS) == 0 {
		return
	}
	method, requested, preflight := r.Method, []string(nil), r.Method == http.MethodOptions
	if preflight {
		method = r.Header.Get("Access-Control-Request-Method")
		requested = splitHeaderList(r.Header.Get("Access-Control-Request-Headers"))
	}
	if rule := corsRule(b.CORS, origin, method, requested); rule != nil {
		corsHeaders(h, rule, origin, preflight, requested)
	}
}
