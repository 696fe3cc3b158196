package lambda

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
)

// CodePath is where CodeHandler serves deployment packages and layer
// archives: GET CodePath + SHA256HEX + "?X-Virga-Expires=UNIX&X-Virga-Signature=HEX".
// GetFunction's Code.Location and GetLayerVersion's Content.Location are
// such URLs: like the presigned S3 URLs AWS hands out, they need no
// credentials and stop working after 10 minutes.
const CodePath = "/_virga/lambda/code/"

// codeURL is a URL, valid for codeURLLifetime, that downloads the stored
// archive with the given hash. Its host is the one the request came to,
// which is how the client reaches virga.
func (s *Service) codeURL(ctx context.Context, hexSum string) string {
	base := ""
	if c := awsproto.CallFrom(ctx); c != nil && c.Request != nil && c.Request.Host != "" {
		scheme := "http"
		if c.Request.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + c.Request.Host
	} else {
		base = strings.TrimSuffix(s.endpoint(), "/")
	}
	expires := strconv.FormatInt(s.clock.Now().Add(codeURLLifetime).Unix(), 10)
	return base + CodePath + hexSum + "?X-Virga-Expires=" + expires + "&X-Virga-Signature=" + s.signCodeURL(hexSum, expires)
}

func (s *Service) signCodeURL(hexSum, expires string) string {
	m := hmac.New(sha256.New, s.urlKey)
	m.Write([]byte(hexSum + "\n" + expires))
	return hex.EncodeToString(m.Sum(nil))
}

// CodeHandler serves the archives Code.Location URLs name, for the app to
// mount at CodePath. Errors are answered as S3 answers a presigned URL:
// 403 AccessDenied for a bad or expired signature, 404 NoSuchKey for an
// archive that was deleted.
func (s *Service) CodeHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			s3Error(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
			return
		}
		hexSum := strings.TrimPrefix(r.URL.Path, CodePath)
		q := r.URL.Query()
		expires, sig := q.Get("X-Virga-Expires"), q.Get("X-Virga-Signature")
		if len(hexSum) != sha256.Size*2 || strings.Trim(hexSum, "0123456789abcdef") != "" ||
			!hmac.Equal([]byte(sig), []byte(s.signCodeURL(hexSum, expires))) {
			s3Error(w, http.StatusForbidden, "AccessDenied", "Request signature does not match.")
			return
		}
		at, err := strconv.ParseInt(expires, 10, 64)
		if err != nil || s.clock.Now().After(time.Unix(at, 0)) {
			s3Error(w, http.StatusForbidden, "AccessDenied", "Request has expired")
			return
		}
		data, err := s.readCode(hexSum)
		if err != nil {
			s3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			w.Write(data)
		}
	})
}

func s3Error(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<Error><Code>" + code + "</Code><Message>" + message + "</Message></Error>"))
}
