package providers

import (
	"context"
	"errors"

	"github.com/virga/virga/internal/cfn/resource"
)

// Resource groups and CloudWatch Application Insights: the monitoring
// that `sam init` templates declare for every application (a group of
// the stack's resources, ApplicationInsights-SAM-STACK, and an
// Application Insights application over it). virga has neither service;
// both types are recorded only, with the identifiers AWS gives, so that
// such templates deploy and what refers to them resolves. Nothing about
// the application's behaviour depends on them.

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::ResourceGroups::Group",
		Required: []string{"Name"},
		Provider: resourceGroup{},
		// The group's name is its identifier: "Update requires:
		// Replacement".
		Replace:      []string{"Name"},
		Attributes:   []string{"Arn"},
		NameProperty: "Name",
	})
	resource.Register(&resource.Type{
		Name:     "AWS::ApplicationInsights::Application",
		Required: []string{"ResourceGroupName"},
		Provider: insightsApplication{},
		// The application is named by its resource group
		// (createOnlyProperties: ResourceGroupName).
		Replace:    []string{"ResourceGroupName"},
		Attributes: []string{"ApplicationARN"},
	})
}

// resourceGroup is AWS::ResourceGroups::Group: Ref is the group's Name
// (which the template must give) and GetAtt Arn its ARN,
// arn:aws:resource-groups:REGION:ACCOUNT:group/NAME.
type resourceGroup struct{}

func (resourceGroup) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	name := props(r.Properties).str("Name")
	if name == "" {
		return nil, errors.New("AWS::ResourceGroups::Group: the Name property is required")
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{
		"Arn": "arn:aws:resource-groups:" + r.Env.Region + ":" + r.Env.Account + ":group/" + name,
	}}, nil
}

func (resourceGroup) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (resourceGroup) Delete(ctx context.Context, r *resource.Request) error { return nil }

// insightsApplication is AWS::ApplicationInsights::Application: Ref and
// GetAtt ApplicationARN are
// arn:aws:applicationinsights:REGION:ACCOUNT:application/resource-group/GROUP.
type insightsApplication struct{}

func (insightsApplication) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	group := props(r.Properties).str("ResourceGroupName")
	if group == "" {
		return nil, errors.New("AWS::ApplicationInsights::Application: the ResourceGroupName property is required")
	}
	arn := "arn:aws:applicationinsights:" + r.Env.Region + ":" + r.Env.Account + ":application/resource-group/" + group
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{"ApplicationARN": arn}}, nil
}

func (insightsApplication) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (insightsApplication) Delete(ctx context.Context, r *resource.Request) error { return nil }
