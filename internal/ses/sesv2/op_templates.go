package sesv2

import (
	"context"

	"github.com/virga/virga/internal/ses"
)

func templateOf(name string, c *EmailTemplateContent) ses.EmailTemplate {
	return ses.EmailTemplate{Name: name, Subject: deref(c.Subject), Text: deref(c.Text), HTML: deref(c.Html)}
}

func (s *Service) createEmailTemplate(_ context.Context, in *CreateEmailTemplateRequest) (*CreateEmailTemplateResponse, error) {
	if err := s.core.CreateTemplate(templateOf(*in.TemplateName, in.TemplateContent)); err != nil {
		return nil, v2Error(err)
	}
	return &CreateEmailTemplateResponse{}, nil
}

func (s *Service) updateEmailTemplate(_ context.Context, in *UpdateEmailTemplateRequest) (*UpdateEmailTemplateResponse, error) {
	if err := s.core.UpdateTemplate(templateOf(*in.TemplateName, in.TemplateContent)); err != nil {
		return nil, v2Error(err)
	}
	return &UpdateEmailTemplateResponse{}, nil
}

func (s *Service) getEmailTemplate(_ context.Context, in *GetEmailTemplateRequest) (*GetEmailTemplateResponse, error) {
	t, err := s.core.GetTemplate(*in.TemplateName)
	if err != nil {
		return nil, v2Error(err)
	}
	c := &EmailTemplateContent{}
	if t.Subject != "" {
		c.Subject = &t.Subject
	}
	if t.Text != "" {
		c.Text = &t.Text
	}
	if t.HTML != "" {
		c.Html = &t.HTML
	}
	return &GetEmailTemplateResponse{TemplateName: &t.Name, TemplateContent: c}, nil
}

func (s *Service) deleteEmailTemplate(_ context.Context, in *DeleteEmailTemplateRequest) (*DeleteEmailTemplateResponse, error) {
	deleted, err := s.core.DeleteTemplate(*in.TemplateName)
	if err != nil {
		return nil, err
	}
	if !deleted {
		return nil, ErrNotFound.Withf("Template %s does not exist.", *in.TemplateName)
	}
	return &DeleteEmailTemplateResponse{}, nil
}

// maxTemplatePage is ListEmailTemplates' largest page ("The value you
// specify has to be at least 1, and can be no more than 100").
const maxTemplatePage = 100

func (s *Service) listEmailTemplates(_ context.Context, in *ListEmailTemplatesRequest) (*ListEmailTemplatesResponse, error) {
	all := s.core.Templates()
	start, end, next, err := page(len(all), deref(in.NextToken), pageSize(in.PageSize, maxTemplatePage))
	if err != nil {
		return nil, err
	}
	out := &ListEmailTemplatesResponse{TemplatesMetadata: []EmailTemplateMetadata{}, NextToken: next}
	for _, t := range all[start:end] {
		out.TemplatesMetadata = append(out.TemplatesMetadata, EmailTemplateMetadata{TemplateName: ptr(t.Name),
			CreatedTimestamp: ptr(t.Created.UTC())})
	}
	return out, nil
}
