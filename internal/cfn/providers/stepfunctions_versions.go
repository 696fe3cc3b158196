package providers

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:       "AWS::StepFunctions::StateMachineVersion",
		Required:   []string{"StateMachineArn"},
		Provider:   stateMachineVersion{},
		Replace:    []string{"StateMachineArn", "StateMachineRevisionId", "Description"},
		Attributes: []string{"Arn"},
	})
	resource.Register(&resource.Type{
		Name:         "AWS::StepFunctions::StateMachineAlias",
		Provider:     stateMachineAlias{},
		Replace:      []string{"Name"},
		NameProperty: "Name",
		Attributes:   []string{"Arn"},
	})
}

// stateMachineVersion is AWS::StepFunctions::StateMachineVersion:
// PublishStateMachineVersion of StateMachineArn, with
// StateMachineRevisionId and Description; a change of any of them
// publishes a new version (replacement), DeleteStateMachineVersion
// deletes it. Its physical ID, Ref and Arn are the version's ARN.
type stateMachineVersion struct{}

func (stateMachineVersion) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	machine := p.str("StateMachineArn")
	if machine == "" {
		return nil, errors.New("AWS::StepFunctions::StateMachineVersion: StateMachineArn is required")
	}
	in := map[string]any{"stateMachineArn": machine}
	// A machine never revised gives its ARN as StateMachineRevisionId,
	// which names no revision.
	if rev := p.str("StateMachineRevisionId"); rev != "" && rev != machine {
		in["revisionId"] = rev
	}
	if d := p.str("Description"); d != "" {
		in["description"] = d
	}
	out, err := call(ctx, r, "states", "PublishStateMachineVersion", in)
	if err != nil {
		return nil, err
	}
	arn, _ := out["stateMachineVersionArn"].(string)
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{"Arn": arn}}, nil
}

func (stateMachineVersion) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"Arn": r.PhysicalID}}, nil
}

func (stateMachineVersion) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "states", "DeleteStateMachineVersion", map[string]any{"stateMachineVersionArn": r.PhysicalID})
	return ignoreGone(err)
}

// stateMachineAlias is AWS::StepFunctions::StateMachineAlias:
// CreateStateMachineAlias with Name (generated when absent),
// Description and RoutingConfiguration, UpdateStateMachineAlias on
// changes, DeleteStateMachineAlias. A DeploymentPreference moves all
// traffic to its StateMachineVersionArn at once, where a deployment ends:
// virga runs no gradual (LINEAR, CANARY) shifting and watches no alarms.
// Its physical ID, Ref and Arn are the alias's ARN.
type stateMachineAlias struct{}

// maxAliasName is CharacterRestrictedName's limit: 1-80 characters.
const maxAliasName = 80

func aliasRouting(p props) ([]any, error) {
	if dp := p.obj("DeploymentPreference"); dp != nil {
		if p.has("RoutingConfiguration") {
			return nil, errors.New("AWS::StepFunctions::StateMachineAlias: RoutingConfiguration and DeploymentPreference are mutually exclusive")
		}
		return []any{map[string]any{"stateMachineVersionArn": dp.str("StateMachineVersionArn"), "weight": 100}}, nil
	}
	var out []any
	for _, e := range p.list("RoutingConfiguration") {
		m, _ := e.(map[string]any)
		item := props(m)
		w, err := strconv.Atoi(fmt.Sprint(item["Weight"]))
		if err != nil {
			return nil, fmt.Errorf("AWS::StepFunctions::StateMachineAlias: Weight %v is not an integer", item["Weight"])
		}
		out = append(out, map[string]any{"stateMachineVersionArn": item.str("StateMachineVersionArn"), "weight": w})
	}
	if len(out) == 0 {
		return nil, errors.New("AWS::StepFunctions::StateMachineAlias: one of RoutingConfiguration or DeploymentPreference is required")
	}
	return out, nil
}

func (stateMachineAlias) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	routing, err := aliasRouting(p)
	if err != nil {
		return nil, err
	}
	name := p.str("Name")
	if name == "" {
		name = logicalName(r, maxAliasName)
	}
	in := map[string]any{"name": name, "routingConfiguration": routing}
	if d := p.str("Description"); d != "" {
		in["description"] = d
	}
	out, err := call(ctx, r, "states", "CreateStateMachineAlias", in)
	if err != nil {
		return nil, err
	}
	arn, _ := out["stateMachineAliasArn"].(string)
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{"Arn": arn}}, nil
}

func (stateMachineAlias) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	routing, err := aliasRouting(p)
	if err != nil {
		return nil, err
	}
	in := map[string]any{"stateMachineAliasArn": r.PhysicalID, "routingConfiguration": routing, "description": p.str("Description")}
	if _, err := call(ctx, r, "states", "UpdateStateMachineAlias", in); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"Arn": r.PhysicalID}}, nil
}

func (stateMachineAlias) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "states", "DeleteStateMachineAlias", map[string]any{"stateMachineAliasArn": r.PhysicalID})
	return ignoreGone(err)
}

func init() {
	resource.Register(&resource.Type{
		Name:         "AWS::StepFunctions::Activity",
		Required:     []string{"Name"},
		Provider:     sfnActivity{},
		Replace:      []string{"Name", "Tags", "EncryptionConfiguration"},
		NameProperty: "Name",
		Attributes:   []string{"Arn", "Name"},
	})
}

// sfnActivity is AWS::StepFunctions::Activity: CreateActivity with Name
// and Tags, DeleteActivity. Its physical ID, Ref and Arn are the
// activity's ARN.
type sfnActivity struct{}

func (sfnActivity) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	name := p.str("Name")
	if name == "" {
		name = physicalName(r, maxStateMachineName)
	}
	in := map[string]any{"name": name}
	if tags := tagsOf(p["Tags"]); len(tags) > 0 {
		in["tags"] = sfnTags(tags)
	}
	out, err := call(ctx, r, "states", "CreateActivity", in)
	if err != nil {
		return nil, err
	}
	arn, _ := out["activityArn"].(string)
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{"Arn": arn, "Name": name}}, nil
}

func (sfnActivity) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	arn := r.PhysicalID
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{"Arn": arn, "Name": activityName(arn)}}, nil
}

func activityName(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == ':' {
			return arn[i+1:]
		}
	}
	return arn
}

func (sfnActivity) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "states", "DeleteActivity", map[string]any{"activityArn": r.PhysicalID})
	return ignoreGone(err)
}
