package ses

import (
	"context"
	"encoding/json"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
)

// region is the region a call was made to.
func (s *Service) callRegion(ctx context.Context) string {
	if c := awsproto.CallFrom(ctx); c != nil && c.Region != "" {
		return c.Region
	}
	return s.region
}

func recipients(d *Destination) Recipients {
	if d == nil {
		return Recipients{}
	}
	return Recipients{To: d.ToAddresses, Cc: d.CcAddresses, Bcc: d.BccAddresses}
}

func tags(list []MessageTag) map[string]string {
	if len(list) == 0 {
		return nil
	}
	out := make(map[string]string, len(list))
	for _, t := range list {
		out[deref(t.Name)] = deref(t.Value)
	}
	return out
}

func (s *Service) sendEmail(ctx context.Context, in *SendEmailRequest) (*SendEmailResponse, error) {
	o := Outgoing{API: "SendEmail", Source: *in.Source, Destination: recipients(in.Destination), ReplyTo: in.ReplyToAddresses,
		Tags: tags(in.Tags), ConfigurationSet: deref(in.ConfigurationSetName), Region: s.callRegion(ctx)}
	if in.Message.Subject != nil {
		o.Subject = deref(in.Message.Subject.Data)
	}
	if b := in.Message.Body; b != nil {
		if b.Text != nil {
			o.Text = deref(b.Text.Data)
		}
		if b.Html != nil {
			o.HTML = deref(b.Html.Data)
		}
	}
	id, err := s.Send(ctx, o)
	if err != nil {
		return nil, err
	}
	return &SendEmailResponse{MessageId: &id}, nil
}

func (s *Service) sendRawEmail(ctx context.Context, in *SendRawEmailRequest) (*SendRawEmailResponse, error) {
	raw := in.RawMessage.Data
	if raw == nil {
		raw = []byte{}
	}
	id, err := s.Send(ctx, Outgoing{API: "SendRawEmail", Source: deref(in.Source), Destination: Recipients{To: in.Destinations},
		Raw: raw, MaxRaw: MaxRawMessageV1, Tags: tags(in.Tags), ConfigurationSet: deref(in.ConfigurationSetName),
		Region: s.callRegion(ctx)})
	if err != nil {
		return nil, err
	}
	return &SendRawEmailResponse{MessageId: &id}, nil
}

func (s *Service) sendTemplatedEmail(ctx context.Context, in *SendTemplatedEmailRequest) (*SendTemplatedEmailResponse, error) {
	id, err := s.Send(ctx, Outgoing{API: "SendTemplatedEmail", Source: *in.Source, Destination: recipients(in.Destination),
		ReplyTo: in.ReplyToAddresses, Template: *in.Template, TemplateData: *in.TemplateData, Tags: tags(in.Tags),
		ConfigurationSet: deref(in.ConfigurationSetName), Region: s.callRegion(ctx)})
	if err != nil {
		return nil, err
	}
	return &SendTemplatedEmailResponse{MessageId: &id}, nil
}

// maxBulkDestinations: "The message may not include more than 50
// recipients" applies to each destination; a bulk send has at most 50
// destinations.
const maxBulkDestinations = 50

// sendBulkTemplatedEmail sends one message per destination, each with the
// default data overlaid by its own replacement data, and reports each
// destination's status. A refusal that concerns the whole request (an
// unverified sender, an unknown template) fails the request.
func (s *Service) sendBulkTemplatedEmail(ctx context.Context, in *SendBulkTemplatedEmailRequest) (*SendBulkTemplatedEmailResponse, error) {
	if len(in.Destinations) > maxBulkDestinations {
		return nil, invalidValue("Destination count exceeds 50.")
	}
	base := map[string]any{}
	if d := deref(in.DefaultTemplateData); d != "" {
		if err := json.Unmarshal([]byte(d), &base); err != nil {
			return nil, ErrInvalidParameterValue.WithMessage("DefaultTemplateData is not a valid JSON object.")
		}
	}
	out := &SendBulkTemplatedEmailResponse{Status: []BulkEmailDestinationStatus{}}
	for i, d := range in.Destinations {
		data := base
		if r := deref(d.ReplacementTemplateData); r != "" {
			var over map[string]any
			if err := json.Unmarshal([]byte(r), &over); err != nil {
				out.Status = append(out.Status, BulkEmailDestinationStatus{Status: ptr("InvalidParameterValue"),
					Error: ptr("ReplacementTemplateData is not a valid JSON object.")})
				continue
			}
			data = mergeData(base, over)
		}
		dataJSON, _ := json.Marshal(data)
		t := tags(in.DefaultTags)
		for k, v := range tags(d.ReplacementTags) {
			if t == nil {
				t = map[string]string{}
			}
			t[k] = v
		}
		id, err := s.Send(ctx, Outgoing{API: "SendBulkTemplatedEmail", Source: *in.Source, Destination: recipients(d.Destination),
			ReplyTo: in.ReplyToAddresses, Template: *in.Template, TemplateData: string(dataJSON), Tags: t,
			ConfigurationSet: deref(in.ConfigurationSetName), Region: s.callRegion(ctx)})
		if err != nil {
			e := apierr.As(err)
			if e == nil {
				return nil, err
			}
			// Whole-request refusals come back at the first destination.
			if i == 0 && (e.Code == ErrMessageRejected.Code || e.Code == ErrTemplateDoesNotExist.Code ||
				e.Code == ErrConfigurationSetDoesNotExist.Code) {
				return nil, err
			}
			out.Status = append(out.Status, BulkEmailDestinationStatus{Status: ptr(e.Code), Error: ptr(e.Message)})
			continue
		}
		out.Status = append(out.Status, BulkEmailDestinationStatus{Status: ptr("Success"), MessageId: &id})
	}
	return out, nil
}
