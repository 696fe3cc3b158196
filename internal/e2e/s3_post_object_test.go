package e2e_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/virga/virga/internal/e2e"
)

// noRedirects hands back a 303 instead of following it.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// formField is one field of an upload form, in order.
type formField struct{ name, value string }

// postForm sends an HTML form upload to a bucket: the fields, then the
// file under the given file name, then (ignored by S3) a trailing field.
func postForm(t *testing.T, env *e2e.Env, bucket string, fields []formField, fileName, content string) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, f := range fields {
		w.WriteField(f.name, f.value)
	}
	fw, _ := w.CreateFormFile("file", fileName)
	io.WriteString(fw, content)
	w.WriteField("after-the-file", "ignored")
	w.Close()
	resp, err := noRedirects.Post(env.Endpoint+"/"+bucket, w.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// policyField encodes a POST policy expiring at exp with the conditions.
func policyField(exp time.Time, conditions ...any) formField {
	doc, _ := json.Marshal(map[string]any{"expiration": exp.UTC().Format("2006-01-02T15:04:05.000Z"), "conditions": conditions})
	return formField{"policy", base64.StdEncoding.EncodeToString(doc)}
}

// TestS3PostObject: a browser form upload stores its file under the
// form's key (${filename} naming the file), with the form's Content-Type
// and metadata, answering 204 with the object's location (201 with a
// PostResponse document, or a 303 to success_action_redirect, when the
// form asks); a form with a policy is refused when the policy expired,
// a condition fails, a field is not covered, or the file's size is out
// of its content-length-range.
func TestS3PostObject(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := s3Client(env)
	s3Bucket(t, c, "forms")
	later := time.Now().Add(time.Hour)

	resp, _ := postForm(t, env, "forms", []formField{{"key", "inbox/${filename}"}, {"Content-Type", "text/plain"},
		{"x-amz-meta-owner", "ana"}}, "notes.txt", "first draft")
	if resp.StatusCode != 204 || resp.Header.Get("Location") != env.Endpoint+"/forms/inbox%2Fnotes.txt" || resp.Header.Get("ETag") == "" {
		t.Errorf("plain form: %d %v", resp.StatusCode, resp.Header)
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("forms"), Key: aws.String("inbox/notes.txt")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(got.Body)
	if string(b) != "first draft" || aws.ToString(got.ContentType) != "text/plain" || got.Metadata["owner"] != "ana" {
		t.Errorf("stored object %q %q %v", b, aws.ToString(got.ContentType), got.Metadata)
	}

	resp, text := postForm(t, env, "forms", []formField{{"key", "a&b"}, {"success_action_status", "201"},
		policyField(later, map[string]string{"key": "a&b"}, map[string]string{"success_action_status": "201"})}, "x", "xyz")
	if resp.StatusCode != 201 || !strings.Contains(text, "<Key>a&amp;b</Key><ETag>&quot;d16fb36f0911f878998c136191af705e&quot;</ETag></PostResponse>") {
		t.Errorf("201 form: %d %s", resp.StatusCode, text)
	}
	resp, _ = postForm(t, env, "forms", []formField{{"key", "r"}, {"success_action_redirect", "https://app.example/done?from=form"}}, "x", "r")
	if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || !strings.HasPrefix(loc, "https://app.example/done?") ||
		!strings.Contains(loc, "bucket=forms") || !strings.Contains(loc, "key=r") || !strings.Contains(loc, "from=form") {
		t.Errorf("redirect form: %d %s", resp.StatusCode, loc)
	}

	for _, tc := range []struct {
		name   string
		fields []formField
		file   string
		status int
		want   string
	}{
		{"expired", []formField{{"key", "k"}, policyField(time.Now().Add(-time.Minute), map[string]string{"key": "k"})}, "x", 403,
			"Invalid according to Policy: Policy expired."},
		{"condition", []formField{{"key", "elsewhere/k"}, policyField(later, []string{"starts-with", "$key", "uploads/"})}, "x", 403,
			`Invalid according to Policy: Policy Condition failed: [&quot;starts-with&quot;,&quot;$key&quot;,&quot;uploads/&quot;]`},
		{"uncovered", []formField{{"key", "k"}, {"acl", "private"}, {"x-ignore-me", "1"}, policyField(later, map[string]string{"key": "k"})}, "x", 403,
			"Invalid according to Policy: Extra input fields: acl"},
		{"too large", []formField{{"key", "k"}, policyField(later, map[string]string{"key": "k"}, []any{"content-length-range", 1, 4})}, "12345", 400,
			"<Code>EntityTooLarge</Code>"},
		{"no key", []formField{{"Content-Type", "text/plain"}}, "x", 400, "Bucket POST must contain a field named 'key'."},
	} {
		resp, text := postForm(t, env, "forms", tc.fields, "f", tc.file)
		if resp.StatusCode != tc.status || !strings.Contains(text, tc.want) {
			t.Errorf("%s: %d %s", tc.name, resp.StatusCode, text)
		}
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("forms"), Key: aws.String("k")}); err == nil {
		t.Error("a refused form stored its file")
	}
	resp, err = noRedirects.Post(env.Endpoint+"/forms", "application/x-www-form-urlencoded", strings.NewReader("key=k"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 412 {
		t.Errorf("a form that is not multipart: %d, want 412", resp.StatusCode)
	}
}

// TestS3PostObjectSigned: when virga verifies signatures, a form upload
// needs a policy signed by a known key, with SigV4's x-amz-credential and
// x-amz-signature or SigV2's AWSAccessKeyId and signature; a wrong
// signature, an unknown key or a form without a policy is refused.
func TestS3PostObjectSigned(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, sigv4Mode)
	c := s3Client(env)
	s3Bucket(t, c, "signed-forms")
	policy := policyField(time.Now().Add(time.Hour), map[string]string{"bucket": "signed-forms"}, []string{"starts-with", "$key", ""},
		[]string{"starts-with", "$x-amz-credential", ""}, map[string]string{"x-amz-algorithm": "AWS4-HMAC-SHA256"}, []string{"starts-with", "$x-amz-date", ""})
	hmacOf := func(key []byte, data string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(data))
		return m.Sum(nil)
	}
	day := time.Now().UTC().Format("20060102")
	v4 := func(key, secret string) []formField {
		k := hmacOf([]byte("AWS4"+secret), day)
		for _, s := range []string{"us-east-1", "s3", "aws4_request"} {
			k = hmacOf(k, s)
		}
		return []formField{{"key", "doc.txt"}, {"x-amz-algorithm", "AWS4-HMAC-SHA256"},
			{"x-amz-credential", key + "/" + day + "/us-east-1/s3/aws4_request"}, {"x-amz-date", day + "T000000Z"}, policy,
			{"x-amz-signature", hex.EncodeToString(hmacOf(k, policy.value))}}
	}
	v2Policy := policyField(time.Now().Add(time.Hour), map[string]string{"bucket": "signed-forms"}, []string{"starts-with", "$key", ""})
	v2 := hmac.New(sha1.New, []byte("test"))
	v2.Write([]byte(v2Policy.value))
	for _, tc := range []struct {
		name   string
		fields []formField
		status int
		code   string
	}{
		{"sigv4", v4("test", "test"), 204, ""},
		{"sigv2", []formField{{"key", "doc2.txt"}, {"AWSAccessKeyId", "test"}, v2Policy, {"signature", base64.StdEncoding.EncodeToString(v2.Sum(nil))}}, 204, ""},
		{"wrong secret", v4("test", "guess"), 403, "SignatureDoesNotMatch"},
		{"unknown key", v4("AKIDNOBODY", "test"), 403, "InvalidAccessKeyId"},
		{"no policy", []formField{{"key", "open.txt"}}, 403, "AccessDenied"},
	} {
		resp, text := postForm(t, env, "signed-forms", tc.fields, "f", "signed")
		if resp.StatusCode != tc.status || !strings.Contains(text, tc.code) {
			t.Errorf("%s: %d %s", tc.name, resp.StatusCode, text)
		}
	}
}
