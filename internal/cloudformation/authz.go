package cloudformation

import (
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// iamResources names the stack a call acts on by its ID, an ARN
// (arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/UUID), for IAM
// authorization. A stack that does not exist yet (CreateStack's) is
// named stack/NAME/*, as AWS names it in its denials. Calls that name
// no stack (ListStacks, ValidateTemplate) are authorized on "*".
func (s *Service) iamResources(c *awsproto.Call, in any) []string {
	ref := awsproto.InputString(in, "StackName")
	if ref == "" {
		return nil
	}
	if c.Op.Name != "CreateStack" {
		s.mu.Lock()
		st := s.find(ref)
		s.mu.Unlock()
		if st != nil {
			return []string{st.rec.ID}
		}
	}
	if strings.HasPrefix(ref, "arn:") {
		return []string{ref}
	}
	return []string{"arn:aws:cloudformation:" + s.d.Region + ":" + s.d.Account + ":stack/" + ref + "/*"}
}
