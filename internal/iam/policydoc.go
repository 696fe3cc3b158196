package iam

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Policy size quotas ("IAM and AWS STS quotas"), in characters; IAM does
// not count white space when it measures a policy against them.
const (
	maxManagedPolicySize = 6144  // "Managed policy length"
	maxTrustPolicySize   = 2048  // "Role trust policy length" (AWS can raise it to 4,096; fixed here)
	maxUserInlineSize    = 2048  // aggregate of a user's inline policies
	maxRoleInlineSize    = 10240 // aggregate of a role's inline policies
	maxGroupInlineSize   = 5120  // aggregate of a group's inline policies
)

// policySize is a document's length as IAM's quotas count it: its
// characters but white space.
func policySize(doc string) int {
	n := utf8.RuneCountInString(doc)
	for i := 0; i < len(doc); i++ {
		switch doc[i] {
		case ' ', '\t', '\n', '\r':
			n--
		}
	}
	return n
}

// checkManagedPolicySize refuses a managed policy version over its quota.
func checkManagedPolicySize(doc string) error {
	if policySize(doc) > maxManagedPolicySize {
		return ErrLimitExceeded.Withf("Cannot exceed quota for PolicySize: %d", maxManagedPolicySize)
	}
	return nil
}

// checkTrustPolicySize refuses a role trust policy over its quota.
func checkTrustPolicySize(doc string) error {
	if policySize(doc) > maxTrustPolicySize {
		return ErrLimitExceeded.Withf("Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicySize)
	}
	return nil
}

// checkInlineSize refuses to put the inline policy name with doc in p
// when the principal's inline policies, that one replaced, would be
// over limit together; kind and who name the principal as IAM's
// message does ("user bob").
func (p *principal) checkInlineSize(name, doc string, limit int, kind, who string) error {
	total := policySize(doc)
	for n, d := range p.Inline {
		if n != name {
			total += policySize(d)
		}
	}
	if total > limit {
		return ErrLimitExceeded.WithMessage("Maximum policy size of " + strconv.Itoa(limit) + " bytes exceeded for " + kind + " " + who)
	}
	return nil
}

// Policy documents are stored as the caller wrote them and returned
// URL-encoded: IAM's API reference says the policies its operations
// return "are URL-encoded compliant with RFC 3986". The aws CLI and boto3
// decode them; aws-sdk-go-v2 leaves that to the caller (url.QueryUnescape).

// Policy language versions IAM accepts in a document's Version element.
var policyVersions = map[string]bool{"2012-10-17": true, "2008-10-17": true}

// checkPolicyDocument reports whether doc is a policy document IAM
// accepts: a JSON object whose Version, when present, is a policy
// language version, with a Statement that is an object or a non-empty
// list of objects, each with an Effect of Allow or Deny. Managed
// policies must carry a Version.
func checkPolicyDocument(doc string, managed bool) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &top); err != nil {
		return ErrMalformedPolicyDocument.WithMessage("This policy contains invalid Json")
	}
	version, hasVersion := top["Version"]
	if hasVersion {
		var v string
		if json.Unmarshal(version, &v) != nil || !policyVersions[v] {
			return ErrMalformedPolicyDocument.WithMessage("The policy must contain a valid version string")
		}
	} else if managed {
		return ErrMalformedPolicyDocument.WithMessage("The policy must contain a valid version string")
	}
	raw, ok := top["Statement"]
	if !ok {
		return ErrMalformedPolicyDocument.WithMessage("Syntax errors in policy.")
	}
	var statements []map[string]json.RawMessage
	trimmed := strings.TrimSpace(string(raw))
	if strings.HasPrefix(trimmed, "{") {
		var one map[string]json.RawMessage
		if json.Unmarshal(raw, &one) != nil {
			return ErrMalformedPolicyDocument.WithMessage("Syntax errors in policy.")
		}
		statements = append(statements, one)
	} else if json.Unmarshal(raw, &statements) != nil || len(statements) == 0 {
		return ErrMalformedPolicyDocument.WithMessage("Syntax errors in policy.")
	}
	for _, st := range statements {
		var effect string
		if st == nil || json.Unmarshal(st["Effect"], &effect) != nil || (effect != "Allow" && effect != "Deny") {
			return ErrMalformedPolicyDocument.WithMessage("Syntax errors in policy.")
		}
	}
	return nil
}

// encodeDocument URL-encodes a policy document as IAM returns it: every
// byte but RFC 3986's unreserved characters is percent-encoded.
func encodeDocument(doc string) *string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(doc) * 2)
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	s := b.String()
	return &s
}
