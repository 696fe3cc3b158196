package providers

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/ids"
)

func init() {
	resource.Register(&resource.Type{
		Name:       "AWS::CDK::Metadata",
		Provider:   cdkMetadata{},
		Attributes: []string{},
	})
	resource.Register(&resource.Type{
		Name:     "AWS::CloudFormation::Stack",
		Required: []string{"TemplateURL"},
		Provider: nestedStack{},
		// Every property of a nested stack updates it in place.
		Replace: []string{},
		// The nested stack has its parent's tags, which its own
		// resources get with its aws:cloudformation: tags.
		Tags:          resource.TagList,
		StackTagsOnly: true,
	})
}

// cdkMetadata is AWS::CDK::Metadata, the resource the AWS CDK adds to
// every stack it synthesizes to report which constructs it used
// (Properties.Analytics). CloudFormation accepts it and does nothing
// with it; its physical ID is a UUID, as AWS's is.
type cdkMetadata struct{}

func (cdkMetadata) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: ids.New(rand.Reader).UUID(), Attributes: map[string]any{}}, nil
}

func (cdkMetadata) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (cdkMetadata) Delete(ctx context.Context, r *resource.Request) error { return nil }

// nestedStack is AWS::CloudFormation::Stack: a stack made by
// CloudFormation's own CreateStack from the template at TemplateURL
// (read from virga's S3), named as AWS names nested stacks
// (PARENT-LOGICALID-RANDOM), with the parent's capabilities. The
// resource waits for the nested stack's operation to end, as
// CloudFormation does, and fails with the nested stack's reason when it
// does not complete. Its physical ID and Ref are the nested stack's ID;
// Fn::GetAtt reads Outputs.NAME (the nested stack's outputs). Every
// property updates in place (UpdateStack); deleting it deletes the
// nested stack. CreateStack learns the parent from the context
// (resource.WithParentStack), for the nested stack's ParentId and RootId.
type nestedStack struct{}

// nestedCapabilities are what a nested stack is created with: the parent
// stack was allowed them all to get this far (its template's IAM
// resources are the nested stack's).
var nestedCapabilities = []any{"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"}

// maxStackName bounds a stack name.
const maxStackName = 128

// nestedPoll is how often a nested stack's status is read while its
// operation runs.
const nestedPoll = 50 * time.Millisecond

func nestedInput(p props) map[string]any {
	in := map[string]any{"TemplateURL": p.str("TemplateURL"), "Capabilities": nestedCapabilities}
	params := []any{}
	for _, k := range sortedKeys(asMap(p["Parameters"])) {
		v, _ := text(asMap(p["Parameters"])[k])
		params = append(params, map[string]any{"ParameterKey": k, "ParameterValue": v})
	}
	in["Parameters"] = params
	if l := p.list("NotificationARNs"); l != nil {
		in["NotificationARNs"] = l
	}
	if tags := tagsOf(p["Tags"]); len(tags) > 0 {
		list := []any{}
		for _, k := range sortedKeys(tags) {
			list = append(list, map[string]any{"Key": k, "Value": tags[k]})
		}
		in["Tags"] = list
	}
	return in
}

func (nestedStack) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	ctx = resource.WithParentStack(ctx, r.StackID)
	p := props(r.Properties)
	if !p.has("TemplateURL") {
		return nil, errors.New("AWS::CloudFormation::Stack: the TemplateURL property is required")
	}
	in := nestedInput(p)
	in["StackName"] = physicalName(r, maxStackName)
	if p.has("TimeoutInMinutes") {
		in["TimeoutInMinutes"] = p["TimeoutInMinutes"]
	}
	out, err := call(ctx, r, "cloudformation", "CreateStack", in)
	if err != nil {
		return nil, err
	}
	id := outStr(out, "StackId")
	st, err := settleStack(ctx, r, id)
	if err != nil {
		// The parent's operation was cancelled (or the wait failed):
		// the nested stack is its resource all the same, which the
		// parent's rollback or deletion deletes, cancelling its
		// creation.
		return &resource.Result{PhysicalID: id}, err
	}
	if status, _ := st["StackStatus"].(string); status != "CREATE_COMPLETE" {
		reason := failureReason(ctx, r, id, st)
		// The nested stack has rolled back; it goes, as the parent's
		// rollback would delete it.
		if _, err := call(ctx, r, "cloudformation", "DeleteStack", map[string]any{"StackName": id}); err == nil {
			settleStack(ctx, r, id)
		}
		return nil, fmt.Errorf("Embedded stack %s was not successfully created: %s", id, reason)
	}
	return &resource.Result{PhysicalID: id, Attributes: stackOutputs(st)}, nil
}

func (nestedStack) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	ctx = resource.WithParentStack(ctx, r.StackID)
	in := nestedInput(props(r.Properties))
	in["StackName"] = r.PhysicalID
	// An operation of the nested stack still running (the rollback of
	// an update its parent cancelled) ends first.
	if _, err := settleStack(ctx, r, r.PhysicalID); err != nil {
		return nil, err
	}
	unchanged := false
	if _, err := call(ctx, r, "cloudformation", "UpdateStack", in); err != nil {
		if !strings.Contains(err.Error(), "No updates are to be performed") {
			return nil, err
		}
		unchanged = true
	}
	st, err := settleStack(ctx, r, r.PhysicalID)
	if err != nil {
		if resource.Waits(ctx).Err() != nil {
			// The parent's update was cancelled: so is the nested
			// stack's, which rolls back, as on AWS.
			call(ctx, r, "cloudformation", "CancelUpdateStack", map[string]any{"StackName": r.PhysicalID})
		}
		return nil, err
	}
	status, _ := st["StackStatus"].(string)
	if unchanged && strings.HasSuffix(status, "_COMPLETE") {
		// Already as asked, after its rollback too.
		return &resource.Result{PhysicalID: r.PhysicalID, Attributes: stackOutputs(st)}, nil
	}
	if status != "UPDATE_COMPLETE" && status != "CREATE_COMPLETE" {
		return nil, fmt.Errorf("Embedded stack %s was not successfully updated. Currently in %s with reason: %s", r.PhysicalID, status, failureReason(ctx, r, r.PhysicalID, st))
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: stackOutputs(st)}, nil
}

func (nestedStack) Delete(ctx context.Context, r *resource.Request) error {
	ctx = resource.WithParentStack(ctx, r.StackID)
	if r.PhysicalID == "" {
		return nil
	}
	if _, err := call(ctx, r, "cloudformation", "DeleteStack", map[string]any{"StackName": r.PhysicalID}); err != nil {
		return ignoreGone(err)
	}
	st, err := settleStack(ctx, r, r.PhysicalID)
	if err != nil {
		return ignoreGone(err)
	}
	if status, _ := st["StackStatus"].(string); status != "DELETE_COMPLETE" {
		reason, _ := st["StackStatusReason"].(string)
		return fmt.Errorf("Embedded stack %s was not successfully deleted: %s", r.PhysicalID, strings.TrimSpace(reason))
	}
	return nil
}

// settleStack waits for a stack's operation to end and returns the stack
// as DescribeStacks describes it.
func settleStack(ctx context.Context, r *resource.Request, id string) (map[string]any, error) {
	for {
		out, err := call(ctx, r, "cloudformation", "DescribeStacks", map[string]any{"StackName": id})
		if err != nil {
			return nil, err
		}
		stacks, _ := out["Stacks"].([]any)
		if len(stacks) == 0 {
			return nil, fmt.Errorf("stack %s: %w", id, resource.ErrNotFound)
		}
		st, _ := stacks[0].(map[string]any)
		if status, _ := st["StackStatus"].(string); !strings.HasSuffix(status, "_IN_PROGRESS") {
			return st, nil
		}
		if err := resource.Sleep(ctx, nestedPoll); err != nil {
			return nil, err
		}
	}
}

// failureReason is why a stack's operation failed: its status reason or,
// once it has rolled back (which leaves none), the reason its rollback
// started with ("The following resource(s) failed to create: [Q]. "),
// without "Rollback requested by user.".
func failureReason(ctx context.Context, r *resource.Request, id string, st map[string]any) string {
	if reason, _ := st["StackStatusReason"].(string); reason != "" {
		return reason
	}
	out, err := call(ctx, r, "cloudformation", "DescribeStackEvents", map[string]any{"StackName": id})
	if err != nil {
		return ""
	}
	evs, _ := out["StackEvents"].([]any)
	for _, e := range evs { // newest first
		ev, _ := e.(map[string]any)
		status, _ := ev["ResourceStatus"].(string)
		if ev["PhysicalResourceId"] != id || !strings.HasSuffix(status, "ROLLBACK_IN_PROGRESS") {
			continue
		}
		reason, _ := ev["ResourceStatusReason"].(string)
		return strings.TrimSuffix(reason, "Rollback requested by user.")
	}
	return ""
}

// stackOutputs are a nested stack's outputs as the attributes
// Outputs.NAME.
func stackOutputs(st map[string]any) map[string]any {
	attrs := map[string]any{}
	outs, _ := st["Outputs"].([]any)
	for _, o := range outs {
		m, _ := o.(map[string]any)
		k, _ := m["OutputKey"].(string)
		attrs["Outputs."+k] = m["OutputValue"]
	}
	return attrs
}
