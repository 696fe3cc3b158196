package providers

import (
	"context"
	"errors"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:         "AWS::SSM::Parameter",
		Tags:         resource.TagMap,
		Required:     []string{"Value", "Type"},
		Provider:     ssmParameter{},
		Replace:      []string{"Name"},
		NameProperty: "Name",
		Attributes:   []string{"Type", "Value"},
	})
}

// maxParameterName bounds generated parameter names (Parameter Store
// names are at most 1011 characters with their ARN; generated ones are
// far shorter).
const maxParameterName = 128

// ssmParameter is AWS::SSM::Parameter: PutParameter, then tags. Its
// physical ID and Ref are its name; GetAtt gives Type and Value. As
// CloudFormation, it makes String and StringList parameters only.
// Updates overwrite the parameter (a new version) and add or remove
// tags; a new Name replaces it. Tags is a JSON object of keys to values,
// as in CloudFormation's schema for this type.
type ssmParameter struct{}

// errSecureStringParameter: "SecureString isn't currently supported for
// CloudFormation templates" (PutParameter's API reference).
var errSecureStringParameter = errors.New("AWS::SSM::Parameter: SecureString isn't supported for CloudFormation templates; use String or StringList")

func ssmPut(ctx context.Context, r *resource.Request, name string, overwrite bool) error {
	p := props(r.Properties)
	if p.str("Type") == "SecureString" {
		return errSecureStringParameter
	}
	in := p.pick(map[string]any{"Name": name, "Value": p.str("Value"), "Type": p.str("Type")},
		"Description", "AllowedPattern", "DataType", "Tier", "Policies")
	if overwrite {
		in["Overwrite"] = true
	} else if tags := tagsOf(p["Tags"]); len(tags) > 0 {
		in["Tags"] = tagList(tags)
	}
	_, err := call(ctx, r, "ssm", "PutParameter", in)
	return err
}

func ssmResult(r *resource.Request, name string) *resource.Result {
	p := props(r.Properties)
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{"Type": p.str("Type"), "Value": p.str("Value")}}
}

func (ssmParameter) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	name := props(r.Properties).str("Name")
	if name == "" {
		name = physicalName(r, maxParameterName)
	}
	if err := ssmPut(ctx, r, name, false); err != nil {
		return nil, err
	}
	return ssmResult(r, name), nil
}

func (ssmParameter) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	name := r.PhysicalID
	if changed(old, p, "Value", "Type", "Description", "AllowedPattern", "DataType", "Tier", "Policies") {
		if err := ssmPut(ctx, r, name, true); err != nil {
			return nil, err
		}
	}
	set, removed := tagDiff(tagsOf(old["Tags"]), tagsOf(p["Tags"]))
	if len(removed) > 0 {
		if _, err := call(ctx, r, "ssm", "RemoveTagsFromResource", map[string]any{"ResourceType": "Parameter", "ResourceId": name, "TagKeys": anyStrings(removed)}); err != nil {
			return nil, err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "ssm", "AddTagsToResource", map[string]any{"ResourceType": "Parameter", "ResourceId": name, "Tags": tagList(set)}); err != nil {
			return nil, err
		}
	}
	return ssmResult(r, name), nil
}

func (ssmParameter) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "ssm", "DeleteParameter", map[string]any{"Name": r.PhysicalID})
	return ignoreGone(err)
}
