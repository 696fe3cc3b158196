package providers

import (
	"context"
	"fmt"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::SES::EmailIdentity",
		Required: []string{"EmailIdentity"},
		Provider: emailIdentity{},
		Replace:  []string{"EmailIdentity"},
		Attributes: []string{"DkimDNSTokenName1", "DkimDNSTokenName2", "DkimDNSTokenName3",
			"DkimDNSTokenValue1", "DkimDNSTokenValue2", "DkimDNSTokenValue3"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::SES::Template",
		Provider:   emailTemplate{},
		Attributes: []string{"Id"},
	})
	resource.Register(&resource.Type{
		Name:         "AWS::SES::ConfigurationSet",
		Provider:     configurationSet{},
		Replace:      []string{"Name"},
		NameProperty: "Name",
		Attributes:   []string{},
	})
}

// maxSESName bounds generated template and configuration set names: a
// configuration set's name must "Contain 64 characters or fewer".
const maxSESName = 64

// emailIdentity is AWS::SES::EmailIdentity: SES v2's CreateEmailIdentity
// (verification succeeds at once in virga). Its Ref is the identity; a
// domain's Easy DKIM CNAME records are its DkimDNSToken attributes.
type emailIdentity struct{}

func (emailIdentity) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	name := props(r.Properties).str("EmailIdentity")
	out, err := call(ctx, r, "sesv2", "CreateEmailIdentity", map[string]any{"EmailIdentity": name})
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name, Attributes: dkimRecords(name, out)}, nil
}

// Update has nothing to change: the properties besides EmailIdentity
// (DKIM, feedback and MAIL FROM settings) are not kept by virga.
func (emailIdentity) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	out, err := call(ctx, r, "sesv2", "GetEmailIdentity", map[string]any{"EmailIdentity": r.PhysicalID})
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: dkimRecords(r.PhysicalID, out)}, nil
}

// dkimRecords are a domain's Easy DKIM CNAME records, name and value for
// each token of the identity's DkimAttributes.
func dkimRecords(name string, out map[string]any) map[string]any {
	attrs := map[string]any{}
	dkim := asMap(out["DkimAttributes"])
	if dkim == nil {
		return attrs
	}
	tokens, _ := dkim["Tokens"].([]any)
	for i, t := range tokens {
		tok, _ := text(t)
		attrs[fmt.Sprintf("DkimDNSTokenName%d", i+1)] = tok + "._domainkey." + name
		attrs[fmt.Sprintf("DkimDNSTokenValue%d", i+1)] = tok + ".dkim.amazonses.com"
	}
	return attrs
}

func (emailIdentity) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "sesv2", "DeleteEmailIdentity", map[string]any{"EmailIdentity": r.PhysicalID})
	return ignoreGone(err)
}

// emailTemplate is AWS::SES::Template: SES's CreateTemplate and
// UpdateTemplate. Its Ref (and Id) is the template's name, generated from
// the stack when the template names none.
type emailTemplate struct{}

func templateInput(r *resource.Request, name string) map[string]any {
	t := props(asMap(props(r.Properties)["Template"]))
	in := map[string]any{"TemplateName": name}
	for _, k := range []string{"SubjectPart", "TextPart", "HtmlPart"} {
		if t.has(k) {
			in[k] = t.str(k)
		}
	}
	return map[string]any{"Template": in}
}

func (emailTemplate) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	name := props(asMap(props(r.Properties)["Template"])).str("TemplateName")
	if name == "" {
		name = physicalName(r, maxSESName)
	}
	if _, err := call(ctx, r, "ses", "CreateTemplate", templateInput(r, name)); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{"Id": name}}, nil
}

// Update changes the template's parts in place; a new TemplateName makes
// a new template and, once the stack is updated, deletes the old.
func (emailTemplate) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	name := props(asMap(props(r.Properties)["Template"])).str("TemplateName")
	if name != "" && name != r.PhysicalID {
		return nil, fmt.Errorf("AWS::SES::Template: a new TemplateName requires replacement")
	}
	if _, err := call(ctx, r, "ses", "UpdateTemplate", templateInput(r, r.PhysicalID)); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"Id": r.PhysicalID}}, nil
}

func (emailTemplate) Delete(ctx context.Context, r *resource.Request) error {
	// SES's DeleteTemplate succeeds for a template that does not exist.
	_, err := call(ctx, r, "ses", "DeleteTemplate", map[string]any{"TemplateName": r.PhysicalID})
	return err
}

// configurationSet is AWS::SES::ConfigurationSet: SES's
// CreateConfigurationSet. Its Ref is the set's name. Its other properties
// (delivery, reputation, sending, suppression, tracking and VDM options)
// are not kept by virga.
type configurationSet struct{}

func (configurationSet) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	name := props(r.Properties).str("Name")
	if name == "" {
		name = physicalName(r, maxSESName)
	}
	if _, err := call(ctx, r, "ses", "CreateConfigurationSet", map[string]any{"ConfigurationSet": map[string]any{"Name": name}}); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{}}, nil
}

func (configurationSet) Update(_ context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{}}, nil
}

func (configurationSet) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "ses", "DeleteConfigurationSet", map[string]any{"ConfigurationSetName": r.PhysicalID})
	return ignoreGone(err)
}
