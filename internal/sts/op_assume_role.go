package sts

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
)

// Defaults and limits of temporary credentials, from STS's documentation.
const (
	// defaultRoleDuration is AssumeRole's DurationSeconds when not given.
	defaultRoleDuration = time.Hour
	// defaultSessionTokenDuration is GetSessionToken's default (12 hours).
	defaultSessionTokenDuration = 12 * time.Hour
	// sessionTokenLength is the length of the session tokens virga issues.
	sessionTokenLength = 356
)

// roleARN matches an IAM role ARN: arn:aws:iam::ACCOUNT:role/[path/]NAME.
var roleARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\x21-\x7E]*/)?([\w+=,.@-]{1,64})$`)

// assumeRole issues temporary credentials for a role. With --auth iam
// the edge has checked the role's trust policy before (see Service.API's
// ResourcePolicy); otherwise any well-formed role ARN can be assumed.
func (s *Service) assumeRole(ctx context.Context, in *AssumeRoleRequest) (*AssumeRoleResponse, error) {
	if in.Policy != nil && !json.Valid([]byte(*in.Policy)) {
		return nil, ErrMalformedPolicyDocument
	}
	sess, err := s.requestedRoleSession(*in.RoleArn, *in.RoleSessionName, in.DurationSeconds, in.Policy, in.PolicyArns)
	if err != nil {
		return nil, err
	}
	out := &AssumeRoleResponse{
		Credentials:     sess.credentials(),
		AssumedRoleUser: &AssumedRoleUser{AssumedRoleId: &sess.UserID, Arn: &sess.ARN},
		SourceIdentity:  in.SourceIdentity,
	}
	if in.Policy != nil || len(in.PolicyArns) > 0 || len(in.Tags) > 0 {
		out.PackedPolicySize = packedPolicySize(in.Policy, in.PolicyArns, in.Tags)
	}
	return out, nil
}

// requestedRoleSession issues the role session a request asks for: its
// DurationSeconds (within the role's MaxSessionDuration) and session
// policies.
func (s *Service) requestedRoleSession(roleARN, sessionName string, seconds *int32, policy *string, arns []PolicyDescriptorType) (*session, error) {
	duration, err := s.roleDuration(roleARN, seconds)
	if err != nil {
		return nil, err
	}
	var doc string
	if policy != nil {
		doc = *policy
	}
	return s.issueRoleSession(roleARN, sessionName, duration, doc, policyARNs(arns), awsproto.CognitoIdentity{})
}

// issueRoleSession makes and stores temporary credentials for a role.
func (s *Service) issueRoleSession(arn, sessionName string, duration time.Duration, policy string, policyARNs []string, cognito awsproto.CognitoIdentity) (*session, error) {
	m := roleARN.FindStringSubmatch(arn)
	if m == nil {
		return nil, ErrValidation.Withf("%s is invalid", arn)
	}
	account, roleName := m[1], m[2]
	roleID := s.roleID(arn)
	if s.roles != nil {
		// A session's id is its role's unique id, as GetRole reports it.
		if id, ok, err := s.roles.RoleID(arn); err != nil {
			return nil, err
		} else if ok {
			roleID = id
		}
	}
	sess := s.newSession(duration, account, "arn:aws:sts::"+account+":assumed-role/"+roleName+"/"+sessionName, roleID+":"+sessionName)
	sess.Policy, sess.PolicyARNs, sess.Cognito = policy, policyARNs, cognito
	return sess, s.saveSession(sess)
}

// RoleCredentials are temporary credentials STS issued for a role.
type RoleCredentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expiration                                 time.Time
}

// AssumeRoleAs issues temporary credentials for a role on virga's own
// behalf, as Lambda obtains its functions' execution-role credentials;
// they are accepted like AssumeRole's.
func (s *Service) AssumeRoleAs(roleARN, sessionName string, duration time.Duration) (RoleCredentials, error) {
	return s.AssumeRoleForIdentity(roleARN, sessionName, duration, awsproto.CognitoIdentity{})
}

// AssumeRoleForIdentity issues temporary credentials for a role on
// behalf of a Cognito identity pool's identity (GetCredentialsForIdentity):
// the edge reports the identity as the signer of requests made with them.
func (s *Service) AssumeRoleForIdentity(roleARN, sessionName string, duration time.Duration, identity awsproto.CognitoIdentity) (RoleCredentials, error) {
	sess, err := s.issueRoleSession(roleARN, sessionName, duration, "", nil, identity)
	if err != nil {
		return RoleCredentials{}, err
	}
	return RoleCredentials{sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken, sess.Expiration}, nil
}

// roleID is the unique id of a role IAM does not know (or without IAM):
// derived from the ARN, so that it is the same every time the role is
// assumed, as on AWS.
func (s *Service) roleID(arn string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	sum := sha256.Sum256([]byte(arn))
	var b strings.Builder
	b.WriteString("AROA")
	for i := 0; i < 17; i++ {
		b.WriteByte(alphabet[sum[i]%32])
	}
	return b.String()
}

// packedPolicySize is the percentage of the packed session policy and tag
// allowance a request's session policies and tags use, as AWS reports it.
func packedPolicySize(policy *string, arns []PolicyDescriptorType, tags []Tag) *int32 {
	n := 0
	if policy != nil {
		n += len(*policy)
	}
	for _, p := range arns {
		if p.Arn != nil {
			n += len(*p.Arn)
		}
	}
	for _, t := range tags {
		n += len(*t.Key) + len(*t.Value)
	}
	pct := int32(n * 100 / 2048)
	return &pct
}

// policyARNs are the ARNs of a request's managed session policies.
func policyARNs(in []PolicyDescriptorType) []string {
	var arns []string
	for _, p := range in {
		if p.Arn != nil {
			arns = append(arns, *p.Arn)
		}
	}
	return arns
}

func (sess *session) credentials() *Credentials {
	return &Credentials{
		AccessKeyId:     &sess.AccessKeyID,
		SecretAccessKey: &sess.SecretAccessKey,
		SessionToken:    &sess.SessionToken,
		Expiration:      &sess.Expiration,
	}
}
