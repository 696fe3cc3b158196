package cognitoidentity

import "github.com/virga/virga/internal/awsproto"

// operations is Cognito identity pools' operation table. GetId,
// GetCredentialsForIdentity and GetOpenIdToken are what apps call before
// they have AWS credentials: AWS takes them unsigned, and so does virga.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "CreateIdentityPool", Handler: awsproto.Handle(s.createIdentityPool)},
		{Name: "DescribeIdentityPool", Handler: awsproto.Handle(s.describeIdentityPool)},
		{Name: "UpdateIdentityPool", Handler: awsproto.Handle(s.updateIdentityPool)},
		{Name: "DeleteIdentityPool", Handler: awsproto.Handle(s.deleteIdentityPool)},
		{Name: "ListIdentityPools", Handler: awsproto.Handle(s.listIdentityPools)},
		{Name: "SetIdentityPoolRoles", Handler: awsproto.Handle(s.setIdentityPoolRoles)},
		{Name: "GetIdentityPoolRoles", Handler: awsproto.Handle(s.getIdentityPoolRoles)},
		{Name: "GetId", Handler: awsproto.Handle(s.getId), Anonymous: true},
		{Name: "GetCredentialsForIdentity", Handler: awsproto.Handle(s.getCredentialsForIdentity), Anonymous: true},
		{Name: "GetOpenIdToken", Handler: awsproto.Handle(s.getOpenIdToken), Anonymous: true},
		{Name: "ListIdentities", Handler: awsproto.Handle(s.listIdentities)},
		{Name: "DescribeIdentity", Handler: awsproto.Handle(s.describeIdentity)},
		{Name: "DeleteIdentities", Handler: awsproto.Handle(s.deleteIdentities)},
		{Name: "TagResource", Handler: awsproto.Handle(s.tagResource)},
		{Name: "UntagResource", Handler: awsproto.Handle(s.untagResource)},
		{Name: "ListTagsForResource", Handler: awsproto.Handle(s.listTagsForResource)},
	}
}

// noOutput is the output of operations whose model has none.
type noOutput struct{}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
