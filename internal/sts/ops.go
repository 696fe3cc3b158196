package sts

import "github.com/virga/virga/internal/awsproto"

// operations is STS's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "AssumeRole", Handler: awsproto.Handle(s.assumeRole)},
		// The web identity token is the proof: SDKs send it unsigned.
		{Name: "AssumeRoleWithWebIdentity", Anonymous: true, Handler: awsproto.Handle(s.assumeRoleWithWebIdentity)},
		{Name: "DecodeAuthorizationMessage", Handler: awsproto.Handle(s.decodeAuthorizationMessage)},
		{Name: "GetAccessKeyInfo", Handler: awsproto.Handle(s.getAccessKeyInfo)},
		{Name: "GetCallerIdentity", Unchecked: true, Handler: awsproto.Handle(s.getCallerIdentity)},
		{Name: "GetFederationToken", Handler: awsproto.Handle(s.getFederationToken)},
		{Name: "GetSessionToken", Handler: awsproto.Handle(s.getSessionToken)},
	}
}
