package ses

import (
	"net/mail"

	"github.com/virga/virga/internal/awsproto"
)

// resources names the identity a call acts on
// (arn:aws:ses:REGION:ACCOUNT:identity/EMAIL-OR-DOMAIN), for IAM
// authorization: the identity verified, deleted or described, or the
// sender's address when an email is sent (its SourceArn or FromArn when
// given). Calls on no identity (templates, configuration sets, quotas)
// are authorized on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	for _, f := range []string{"SourceArn", "FromArn"} {
		if arn := awsproto.InputString(in, f); arn != "" {
			return []string{arn}
		}
	}
	id := awsproto.InputString(in, "Identity")
	for _, f := range []string{"EmailAddress", "Domain"} {
		if id == "" {
			id = awsproto.InputString(in, f)
		}
	}
	if id == "" {
		if src := awsproto.InputString(in, "Source"); src != "" {
			id = src
			if a, err := mail.ParseAddress(src); err == nil {
				id = a.Address
			}
		}
	}
	var ids []string
	if id != "" {
		ids = append(ids, id)
	}
	ids = append(ids, awsproto.InputStrings(in, "Identities")...)
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, "arn:aws:ses:"+s.region+":"+s.account+":identity/"+id)
	}
	return out
}
