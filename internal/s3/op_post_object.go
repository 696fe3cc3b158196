package s3

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
)

// POST Object: the browser-based upload of an HTML form, which is what
// "presigned POST" helpers (boto3's generate_presigned_post, the SDK for
// JavaScript's createPresignedPost) prepare. The form's fields carry what
// PutObject takes in headers; the key may name the uploaded file as
// ${filename}; the file is the last field, and fields after it are
// ignored. A form with a policy is held to it: the policy must not have
// expired, every condition must hold, and every field but the exempt ones
// must be named by a condition. When virga verifies signatures (--auth
// sigv4), the form must carry a policy signed by a known key: SigV4's
// x-amz-credential and x-amz-signature, or SigV2's AWSAccessKeyId and
// signature; with the default --auth accept, as for any request, the
// signature is not checked.

type postObjectInput struct {
	Bucket      *string       `aws:"loc=uri,locname=Bucket,required"`
	ContentType *string       `aws:"loc=header,locname=Content-Type"`
	Body        io.ReadCloser `aws:"loc=payload"`
}

type postObjectOutput struct {
	Location    *string       `aws:"loc=header,locname=Location"`
	ETag        *string       `aws:"loc=header,locname=ETag"`
	VersionID   *string       `aws:"loc=header,locname=x-amz-version-id"`
	SSE         *string       `aws:"loc=header,locname=x-amz-server-side-encryption"`
	ContentType *string       `aws:"loc=header,locname=Content-Type"`
	Body        io.ReadCloser `aws:"loc=payload"`
	// status is success_action_status's, or 303 for a redirect.
	status int
}

// maxPostFormFields bounds the bytes of the fields before the file, which
// are held in memory.
const maxPostFormFields = 20 << 10

// postExempt are the fields a policy need not name: "Each form field that
// you specify in a form (except x-amz-signature, file, policy, and field
// names that have an x-ignore- prefix) must appear in the list of
// conditions." The SigV2 fields and the bucket (which the URL names) are
// exempt too.
var postExempt = map[string]bool{"x-amz-signature": true, "file": true, "policy": true,
	"signature": true, "awsaccesskeyid": true, "bucket": true}

func (o *postObjectOutput) httpStatus() int { return o.status }

func (s *Service) postObject(ctx context.Context, in *postObjectInput) (*postObjectOutput, error) {
	bucket := *in.Bucket
	if _, err := s.bucket(s.store, bucket); err != nil {
		return nil, err
	}
	mediaType, params, err := mime.ParseMediaType(strDeref(in.ContentType))
	if err != nil || mediaType != "multipart/form-data" || params["boundary"] == "" {
		return nil, precondition("Bucket POST must be of the enclosure-type multipart/form-data")
	}
	if in.Body == nil {
		return nil, ErrIncompleteBody
	}
	defer in.Body.Close()
	mr := multipart.NewReader(in.Body, params["boundary"])
	fields := map[string]string{} // lower-cased name -> value
	var names []string            // as the form spells them
	budget := maxPostFormFields
	var file *multipart.Part
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, ErrMalformedPOSTRequest
		}
		name := part.FormName()
		if strings.EqualFold(name, "file") {
			file = part
			break
		}
		b, err := io.ReadAll(io.LimitReader(part, int64(budget)+1))
		if err != nil {
			return nil, ErrMalformedPOSTRequest
		}
		if budget -= len(b); budget < 0 {
			return nil, ErrMaxPostPreDataLengthExceeded
		}
		lower := strings.ToLower(name)
		if _, dup := fields[lower]; !dup {
			names = append(names, name)
		}
		fields[lower] = string(b)
	}
	key, ok := fields["key"]
	if !ok {
		return nil, invalidArgument("key", "", "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.")
	}
	if file == nil {
		return nil, invalidArgument("file", "0", "POST requires exactly one file upload per request.")
	}
	key = strings.ReplaceAll(key, "${filename}", file.FileName())
	fields["key"] = key
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if c := awsproto.CallFrom(ctx); c != nil && c.PolicySigner != nil {
		if err := checkFormSignature(c.PolicySigner, fields); err != nil {
			return nil, err
		}
	}
	var pol *postPolicy
	if raw, ok := fields["policy"]; ok {
		if pol, err = parsePostPolicy(raw, s.clock.Now()); err != nil {
			return nil, err
		}
		if err := pol.check(fields, names, bucket); err != nil {
			return nil, err
		}
	}
	meta := map[string]string{}
	for _, n := range names {
		if l := strings.ToLower(n); strings.HasPrefix(l, "x-amz-meta-") {
			meta[strings.TrimPrefix(l, "x-amz-meta-")] = fields[l]
		}
	}
	if err := checkMetadata(meta); err != nil {
		return nil, err
	}
	var acl *AccessControlPolicy
	if v, ok := fields["acl"]; ok {
		if acl, err = s.objectACL(bucket, &v, grantHeaders{}); err != nil {
			return nil, err
		}
	}

	// The file, with the MD5 for its ETag and S3's default CRC64NVME.
	md := md5.New()
	sum := newChecksum(algCRC64NVME)
	id := s.newBlobID()
	n, err := s.blobs.write(id, io.TeeReader(&limitReader{r: file, n: maxPutSize}, io.MultiWriter(md, sum)))
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return nil, entityTooLarge(maxPutSize+1, maxPutSize)
		}
		return nil, ErrIncompleteBody
	}
	if pol != nil {
		if err := pol.checkLength(n); err != nil {
			s.blobs.remove(id)
			return nil, err
		}
	}
	if want, ok := fields["content-md5"]; ok && want != base64.StdEncoding.EncodeToString(md.Sum(nil)) {
		s.blobs.remove(id)
		return nil, ErrBadDigest
	}
	contentType := fields["content-type"]
	if contentType == "" {
		contentType = "binary/octet-stream"
	}
	o := &objectRecord{
		Key: key, Size: n, ETag: `"` + hex.EncodeToString(md.Sum(nil)) + `"`,
		ContentType: contentType, ContentEncoding: fields["content-encoding"],
		ContentDisposition: fields["content-disposition"], CacheControl: fields["cache-control"],
		Expires: fields["expires"], Metadata: meta, StorageClass: fields["x-amz-storage-class"],
		WebsiteRedirect: fields["x-amz-website-redirect-location"], SSE: fields["x-amz-server-side-encryption"],
		SSEKMSKeyID: fields["x-amz-server-side-encryption-aws-kms-key-id"],
		Checksum:    objectChecksum{Algorithm: algCRC64NVME, Value: checksumValue(sum), Type: checksumFullObject},
		Segments:    []segment{{Blob: id, Size: n}}, ACL: acl,
	}
	if err := s.commitObject(ctx, bucket, o, "ObjectCreated:Post", func(*objectRecord) error { return nil }); err != nil {
		s.blobs.remove(id)
		return nil, err
	}

	location := objectURL(ctx, bucket, key)
	out := &postObjectOutput{Location: &location, ETag: &o.ETag, VersionID: s.versionOut(bucket, o), SSE: optStr(sseOf(o)), status: 204}
	if redirect := fields["success_action_redirect"]; redirect != "" {
		if u, err := url.Parse(redirect); err == nil && u.Scheme != "" {
			q := u.Query()
			q.Set("bucket", bucket)
			q.Set("key", key)
			q.Set("etag", o.ETag)
			u.RawQuery = q.Encode()
			target := u.String()
			out.Location, out.status = &target, 303
			return out, nil
		}
	}
	switch fields["success_action_status"] {
	case "200":
		out.status = 200
	case "201":
		out.status = 201
		doc := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
			`<PostResponse><Location>%s</Location><Bucket>%s</Bucket><Key>%s</Key><ETag>%s</ETag></PostResponse>`,
			xmlText(location), xmlText(bucket), xmlText(key), xmlText(o.ETag))
		out.ContentType = optStr("application/xml")
		out.Body = io.NopCloser(strings.NewReader(doc))
	}
	return out, nil
}

// objectURL is the URL of an object at the host the client called.
func objectURL(ctx context.Context, bucket, key string) string {
	host := "localhost"
	scheme := "http"
	if c := awsproto.CallFrom(ctx); c != nil && c.Request != nil {
		host = c.Request.Host
		if c.Request.TLS != nil {
			scheme = "https"
		}
	}
	return scheme + "://" + host + "/" + bucket + "/" + url.PathEscape(key)
}

func xmlText(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	return r.Replace(s)
}

// postPolicy is a POST form's policy document: its expiration and its
// conditions, each an exact match, a prefix match or a length range.
type postPolicy struct {
	conditions []postCondition
	minLen     int64
	maxLen     int64 // -1: no content-length-range
}

type postCondition struct {
	op, field, value string // op "eq" or "starts-with"; field lower-cased, without "$"
	text             string // as the policy wrote it, for errors
}

func policyFailure(reason string) error {
	return ErrAccessDenied.WithMessage("Invalid according to Policy: " + reason)
}

// parsePostPolicy decodes the policy field (base64 of a JSON document)
// and checks its expiration against now.
func parsePostPolicy(raw string, now time.Time) (*postPolicy, error) {
	doc, err := base64.StdEncoding.DecodeString(strings.TrimSpace(raw))
	if err != nil {
		return nil, invalidArgument("Policy", "", "Invalid Policy: Invalid 'Base64' encoding.")
	}
	var p struct {
		Expiration string            `json:"expiration"`
		Conditions []json.RawMessage `json:"conditions"`
	}
	if err := json.Unmarshal(doc, &p); err != nil {
		return nil, invalidArgument("Policy", "", "Invalid Policy: Invalid JSON.")
	}
	exp, err := time.Parse(time.RFC3339, p.Expiration)
	if err != nil {
		return nil, invalidArgument("Policy", "", "Invalid Policy: Invalid 'expiration' value: '"+p.Expiration+"'")
	}
	if !now.Before(exp) {
		return nil, policyFailure("Policy expired.")
	}
	pol := &postPolicy{maxLen: -1}
	for _, c := range p.Conditions {
		text := string(c)
		var obj map[string]string
		if json.Unmarshal(c, &obj) == nil && len(obj) == 1 {
			for k, v := range obj {
				pol.conditions = append(pol.conditions, postCondition{op: "eq", field: strings.ToLower(k), value: v, text: text})
			}
			continue
		}
		var arr []json.RawMessage
		if json.Unmarshal(c, &arr) != nil || len(arr) != 3 {
			return nil, invalidArgument("Policy", "", "Invalid Policy: Invalid Condition: "+text)
		}
		var op string
		json.Unmarshal(arr[0], &op)
		switch strings.ToLower(op) {
		case "content-length-range":
			var lo, hi int64
			if json.Unmarshal(arr[1], &lo) != nil || json.Unmarshal(arr[2], &hi) != nil {
				return nil, invalidArgument("Policy", "", "Invalid Policy: Invalid content-length-range: "+text)
			}
			pol.minLen, pol.maxLen = lo, hi
		case "eq", "starts-with":
			var field, value string
			if json.Unmarshal(arr[1], &field) != nil || json.Unmarshal(arr[2], &value) != nil || !strings.HasPrefix(field, "$") {
				return nil, invalidArgument("Policy", "", "Invalid Policy: Invalid Condition: "+text)
			}
			pol.conditions = append(pol.conditions, postCondition{op: strings.ToLower(op),
				field: strings.ToLower(strings.TrimPrefix(field, "$")), value: value, text: text})
		default:
			return nil, invalidArgument("Policy", "", "Invalid Policy: Invalid Condition: "+text)
		}
	}
	return pol, nil
}

// check holds the form's fields to the policy's conditions: each must
// hold, and each field not exempt must be named by one.
func (p *postPolicy) check(fields map[string]string, names []string, bucket string) error {
	named := map[string]bool{}
	for _, c := range p.conditions {
		named[c.field] = true
		v, ok := fields[c.field]
		if c.field == "bucket" {
			v, ok = bucket, true
		}
		switch {
		case c.op == "eq" && (!ok || v != c.value):
			return policyFailure("Policy Condition failed: " + c.text)
		case c.op == "starts-with" && (!ok || !strings.HasPrefix(v, c.value)):
			return policyFailure("Policy Condition failed: " + c.text)
		}
	}
	var extra []string
	for _, n := range names {
		l := strings.ToLower(n)
		if postExempt[l] || strings.HasPrefix(l, "x-ignore-") || named[l] {
			continue
		}
		extra = append(extra, n)
	}
	if len(extra) > 0 {
		return policyFailure("Extra input fields: " + strings.Join(extra, ", "))
	}
	return nil
}

// checkLength holds the file's size to the policy's content-length-range.
func (p *postPolicy) checkLength(n int64) error {
	if p.maxLen < 0 {
		return nil
	}
	if n > p.maxLen {
		return ErrEntityTooLarge.WithDetails(&sizeDetails{ProposedSize: itoa(n), MaxSizeAllowed: itoa(p.maxLen)})
	}
	if n < p.minLen {
		return ErrEntityTooSmall.WithDetails(&sizeDetails{ProposedSize: itoa(n), MinSizeAllowed: itoa(p.minLen)})
	}
	return nil
}

// checkFormSignature holds a form to a signed policy: a form without one
// is an anonymous write, which virga, enforcing no bucket policies, does
// not allow when it verifies signatures.
func checkFormSignature(ps awsproto.PolicySigner, fields map[string]string) error {
	policy, ok := fields["policy"]
	if !ok {
		return ErrAccessDenied
	}
	if sig, ok := fields["x-amz-signature"]; ok {
		return ps.CheckPolicy(fields["x-amz-credential"], policy, sig, false)
	}
	if sig, ok := fields["signature"]; ok {
		return ps.CheckPolicy(fields["awsaccesskeyid"], policy, sig, true)
	}
	return ErrAccessDenied
}
