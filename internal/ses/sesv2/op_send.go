package sesv2

import (
	"context"

	"github.com/virga/virga/internal/ses"
)

// sendEmail sends a simple, raw or templated message; exactly one of the
// three is the content.
func (s *Service) sendEmail(ctx context.Context, in *SendEmailRequest) (*SendEmailResponse, error) {
	o := ses.Outgoing{API: "v2.SendEmail", Source: deref(in.FromEmailAddress), ReplyTo: in.ReplyToAddresses,
		ConfigurationSet: deref(in.ConfigurationSetName), Region: callRegion(ctx)}
	if d := in.Destination; d != nil {
		o.Destination = ses.Recipients{To: d.ToAddresses, Cc: d.CcAddresses, Bcc: d.BccAddresses}
	}
	if len(in.EmailTags) > 0 {
		o.Tags = map[string]string{}
		for _, t := range in.EmailTags {
			o.Tags[deref(t.Name)] = deref(t.Value)
		}
	}
	c := in.Content
	kinds := 0
	for _, set := range []bool{c.Simple != nil, c.Raw != nil, c.Template != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		return nil, ErrBadRequest.WithMessage("Exactly one of Simple, Raw or Template content must be specified.")
	}
	switch {
	case c.Simple != nil:
		if o.Source == "" {
			return nil, ErrBadRequest.WithMessage("Missing required parameter FromEmailAddress.")
		}
		if c.Simple.Subject != nil {
			o.Subject = deref(c.Simple.Subject.Data)
		}
		if b := c.Simple.Body; b != nil {
			if b.Text != nil {
				o.Text = deref(b.Text.Data)
			}
			if b.Html != nil {
				o.HTML = deref(b.Html.Data)
			}
		}
	case c.Raw != nil:
		o.Raw, o.MaxRaw = c.Raw.Data, ses.MaxRawMessageV2
		if o.Raw == nil {
			o.Raw = []byte{}
		}
	case c.Template != nil:
		if o.Source == "" {
			return nil, ErrBadRequest.WithMessage("Missing required parameter FromEmailAddress.")
		}
		o.Template, o.TemplateData = deref(c.Template.TemplateName), deref(c.Template.TemplateData)
		if o.Template == "" {
			return nil, ErrBadRequest.WithMessage("Missing required parameter TemplateName.")
		}
	}
	id, err := s.core.Send(ctx, o)
	if err != nil {
		return nil, v2Error(err)
	}
	return &SendEmailResponse{MessageId: &id}, nil
}

// getAccount reports an account out of the sandbox, sending enabled, with
// no limits (see ses.Service's doc).
func (s *Service) getAccount(_ context.Context, _ *GetAccountRequest) (*GetAccountResponse, error) {
	sent, err := s.core.SentLast24Hours()
	if err != nil {
		return nil, err
	}
	return &GetAccountResponse{SendingEnabled: ptr(true), ProductionAccessEnabled: ptr(true), EnforcementStatus: ptr("HEALTHY"),
		DedicatedIpAutoWarmupEnabled: ptr(false),
		SendQuota:                    &SendQuota{Max24HourSend: ptr(float64(-1)), MaxSendRate: ptr(float64(-1)), SentLast24Hours: ptr(float64(sent))}}, nil
}
