package sesv2

import (
	"context"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/restjson"
	"github.com/virga/virga/internal/ses"
)

// Service is SES's v2 API over the core package ses keeps: the same
// identities, templates and mailbox the v1 API sees.
type Service struct {
	core *ses.Service
}

// New returns SES v2 over the core.
func New(core *ses.Service) *Service { return &Service{core: core} }

// API returns SES v2 as the edge serves it. It is signed as "ses", like
// v1; the edge tells them apart by v2's /v2/email/ routes.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            ses.SigningName,
		Protocol:        restjson.New(),
		ValidationError: ErrBadRequest,
		Operations:      s.operations(),
	}).Init()
}

// operations is SES v2's operation table, with each operation's REST
// binding from AWS's model. Every operation answers 200.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "CreateEmailIdentity", HTTP: "POST /v2/email/identities", Handler: awsproto.Handle(s.createEmailIdentity)},
		{Name: "GetEmailIdentity", HTTP: "GET /v2/email/identities/{EmailIdentity}", Handler: awsproto.Handle(s.getEmailIdentity)},
		{Name: "ListEmailIdentities", HTTP: "GET /v2/email/identities", Handler: awsproto.Handle(s.listEmailIdentities)},
		{Name: "ListEmailIdentities", HTTP: "POST /v2/email/list-identities", Handler: awsproto.Handle(s.listEmailIdentitiesBody)},
		{Name: "DeleteEmailIdentity", HTTP: "DELETE /v2/email/identities/{EmailIdentity}", Handler: awsproto.Handle(s.deleteEmailIdentity)},

		{Name: "SendEmail", HTTP: "POST /v2/email/outbound-emails", Handler: awsproto.Handle(s.sendEmail)},
		{Name: "GetAccount", HTTP: "GET /v2/email/account", Handler: awsproto.Handle(s.getAccount)},

		{Name: "CreateEmailTemplate", HTTP: "POST /v2/email/templates", Handler: awsproto.Handle(s.createEmailTemplate)},
		{Name: "GetEmailTemplate", HTTP: "GET /v2/email/templates/{TemplateName}", Handler: awsproto.Handle(s.getEmailTemplate)},
		{Name: "UpdateEmailTemplate", HTTP: "PUT /v2/email/templates/{TemplateName}", Handler: awsproto.Handle(s.updateEmailTemplate)},
		{Name: "DeleteEmailTemplate", HTTP: "DELETE /v2/email/templates/{TemplateName}", Handler: awsproto.Handle(s.deleteEmailTemplate)},
		{Name: "ListEmailTemplates", HTTP: "GET /v2/email/templates", Handler: awsproto.Handle(s.listEmailTemplates)},
	}
}

// callRegion is the region a call was made to.
func callRegion(ctx context.Context) string {
	if c := awsproto.CallFrom(ctx); c != nil {
		return c.Region
	}
	return ""
}

func ptr[T any](v T) *T { return &v }

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
