package ses

import (
	"context"
	"time"
)

func templateOf(t *Template) EmailTemplate {
	return EmailTemplate{Name: deref(t.TemplateName), Subject: deref(t.SubjectPart), Text: deref(t.TextPart), HTML: deref(t.HtmlPart)}
}

func (s *Service) createTemplate(_ context.Context, in *CreateTemplateRequest) (*CreateTemplateResponse, error) {
	if err := s.CreateTemplate(templateOf(in.Template)); err != nil {
		return nil, err
	}
	return &CreateTemplateResponse{}, nil
}

func (s *Service) updateTemplate(_ context.Context, in *UpdateTemplateRequest) (*UpdateTemplateResponse, error) {
	if err := s.UpdateTemplate(templateOf(in.Template)); err != nil {
		return nil, err
	}
	return &UpdateTemplateResponse{}, nil
}

func (s *Service) getTemplate(_ context.Context, in *GetTemplateRequest) (*GetTemplateResponse, error) {
	t, err := s.GetTemplate(*in.TemplateName)
	if err != nil {
		return nil, err
	}
	out := &Template{TemplateName: &t.Name}
	if t.Subject != "" {
		out.SubjectPart = &t.Subject
	}
	if t.Text != "" {
		out.TextPart = &t.Text
	}
	if t.HTML != "" {
		out.HtmlPart = &t.HTML
	}
	return &GetTemplateResponse{Template: out}, nil
}

// deleteTemplate deletes a template; deleting one that does not exist
// succeeds.
func (s *Service) deleteTemplate(_ context.Context, in *DeleteTemplateRequest) (*DeleteTemplateResponse, error) {
	if _, err := s.DeleteTemplate(*in.TemplateName); err != nil {
		return nil, err
	}
	return &DeleteTemplateResponse{}, nil
}

// maxTemplateItems is ListTemplates' largest page: "The maximum number of
// templates to return. This value must be at least 1 and less than or
// equal to 100."
const maxTemplateItems = 100

func (s *Service) listTemplates(_ context.Context, in *ListTemplatesRequest) (*ListTemplatesResponse, error) {
	limit := maxTemplateItems
	if in.MaxItems != nil && *in.MaxItems > 0 && int(*in.MaxItems) < limit {
		limit = int(*in.MaxItems)
	}
	all := s.Templates()
	names := make([]string, len(all))
	created := map[string]time.Time{}
	for i, t := range all {
		names[i] = t.Name
		created[t.Name] = t.Created
	}
	page, next, err := paginate(names, deref(in.NextToken), limit)
	if err != nil {
		return nil, err
	}
	out := &ListTemplatesResponse{TemplatesMetadata: []TemplateMetadata{}, NextToken: next}
	for _, n := range page {
		out.TemplatesMetadata = append(out.TemplatesMetadata, TemplateMetadata{Name: ptr(n), CreatedTimestamp: ptr(created[n].UTC())})
	}
	return out, nil
}
