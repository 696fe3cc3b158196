package secretsmanager

import (
	"encoding/json"
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// resources names the secret a call acts on by its full ARN, random
// suffix included (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf),
// for IAM authorization: policies name secrets that way, usually as
// NAME-??????. A SecretId may be the secret's name or a partial ARN; a
// secret that does not exist (CreateSecret's, or a misspelt one) is
// named by its name's ARN without a suffix. Calls that name no secret
// (ListSecrets, GetRandomPassword) are authorized on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	id := awsproto.InputString(in, "SecretId")
	if id == "" {
		id = awsproto.InputString(in, "Name")
	}
	if id == "" {
		return nil
	}
	if arn := s.storedARN(id); arn != "" {
		return []string{arn}
	}
	if strings.HasPrefix(id, "arn:") {
		return []string{id}
	}
	return []string{"arn:aws:secretsmanager:" + s.region + ":" + s.account + ":secret:" + id}
}

// deniedResource names a secret in a denial as the request named it:
// Secrets Manager answers "on resource: NAME" to a GetSecretValue by
// name and the ARN to one by ARN.
func deniedResource(in any, _ string) string { return awsproto.InputString(in, "SecretId") }

// storedARN returns the ARN of the secret id names (its name, its ARN or
// its partial ARN), or "" when there is none. It reads the record as
// stored: purging a secret past its recovery window is the operation's
// work, under the operation's lock.
func (s *Service) storedARN(id string) string {
	names := []string{id}
	if strings.HasPrefix(id, "arn:") {
		full, trimmed, ok := nameFromARN(id)
		if !ok {
			return ""
		}
		names = []string{trimmed, full}
	}
	for _, name := range names {
		raw, err := s.store.Get(secretKey(name))
		if err != nil {
			continue
		}
		var sec secret
		if json.Unmarshal(raw, &sec) != nil {
			continue
		}
		if !strings.HasPrefix(id, "arn:") || sec.ARN == id ||
			(strings.HasPrefix(sec.ARN, id+"-") && len(sec.ARN) == len(id)+1+arnSuffixLength) {
			return sec.ARN
		}
	}
	return ""
}
