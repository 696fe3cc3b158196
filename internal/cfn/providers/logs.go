package providers

import (
	"context"
	"errors"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:         "AWS::Logs::LogGroup",
		Tags:         resource.TagList,
		Provider:     logGroup{},
		Lister:       logGroup{},
		Replace:      []string{"LogGroupName"},
		NameProperty: "LogGroupName",
		Attributes:   []string{"Arn"},
	})
}

// logGroup is AWS::Logs::LogGroup: CreateLogGroup, then
// PutRetentionPolicy; updates go through PutRetentionPolicy,
// DeleteRetentionPolicy, TagLogGroup and UntagLogGroup. Its physical ID
// and Ref are its name; its Arn is DescribeLogGroups' (ending ":*", as
// AWS's). LogGroupClass is given to CreateLogGroup (DescribeLogGroups
// shows it); DataProtectionPolicy is accepted without effect.
type logGroup struct{}

var logGroupKinds = map[string]kind{"RetentionInDays": number}

// errLogGroupKey is the update virga's Logs cannot make (it has no
// AssociateKmsKey or DisassociateKmsKey).
var errLogGroupKey = errors.New("AWS::Logs::LogGroup: changing KmsKeyId is not supported by virga yet")

func (logGroup) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, logGroupKinds)
	name := p.str("LogGroupName")
	if name == "" {
		name = physicalName(r, maxLogGroupName)
	}
	in := map[string]any{"logGroupName": name}
	if k := p.str("KmsKeyId"); k != "" {
		in["kmsKeyId"] = k
	}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["tags"] = anyMap(tags)
	}
	if c := p.str("LogGroupClass"); c != "" {
		in["logGroupClass"] = c
	}
	if _, err := call(ctx, r, "logs", "CreateLogGroup", in); err != nil {
		return nil, err
	}
	made := &resource.Result{PhysicalID: name} // a failure from here on leaves it: the rollback deletes it
	if p.has("RetentionInDays") {
		if err := setRetention(ctx, r, name, p); err != nil {
			return made, err
		}
	}
	res, err := logGroupResult(ctx, r, name)
	if err != nil {
		return made, err
	}
	return res, nil
}

func setRetention(ctx context.Context, r *resource.Request, name string, p props) error {
	if !p.has("RetentionInDays") {
		_, err := call(ctx, r, "logs", "DeleteRetentionPolicy", map[string]any{"logGroupName": name})
		return err
	}
	_, err := call(ctx, r, "logs", "PutRetentionPolicy", map[string]any{"logGroupName": name, "retentionInDays": p["RetentionInDays"]})
	return err
}

func logGroupResult(ctx context.Context, r *resource.Request, name string) (*resource.Result, error) {
	in := map[string]any{"logGroupNamePrefix": name}
	for {
		out, err := call(ctx, r, "logs", "DescribeLogGroups", in)
		if err != nil {
			return nil, err
		}
		for _, g := range props(out).list("logGroups") {
			if lg := props(asMap(g)); lg.str("logGroupName") == name {
				return &resource.Result{PhysicalID: name, Attributes: map[string]any{"Arn": lg.str("arn")}}, nil
			}
		}
		next := outStr(out, "nextToken")
		if next == "" {
			return nil, errors.New("AWS::Logs::LogGroup: log group " + name + " was not found after it was made")
		}
		in["nextToken"] = next
	}
}

func (logGroup) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, logGroupKinds)
	name := r.PhysicalID
	if changed(old, p, "KmsKeyId") {
		return nil, errLogGroupKey
	}
	if changed(old, p, "RetentionInDays") {
		if err := setRetention(ctx, r, name, p); err != nil {
			return nil, err
		}
	}
	set, removed := tagDiff(tagMap(old["Tags"]), tagMap(p["Tags"]))
	if len(removed) > 0 {
		if _, err := call(ctx, r, "logs", "UntagLogGroup", map[string]any{"logGroupName": name, "tags": anyStrings(removed)}); err != nil {
			return nil, err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "logs", "TagLogGroup", map[string]any{"logGroupName": name, "tags": anyMap(set)}); err != nil {
			return nil, err
		}
	}
	return logGroupResult(ctx, r, name)
}

func (logGroup) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "logs", "DeleteLogGroup", map[string]any{"logGroupName": r.PhysicalID})
	return ignoreGone(err)
}
