package providers

import (
	"context"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:         "AWS::CloudTrail::Trail",
		Required:     []string{"S3BucketName", "IsLogging"},
		Provider:     trail{},
		Replace:      []string{"TrailName"},
		NameProperty: "TrailName",
		Attributes:   []string{"Arn", "SnsTopicArn"},
		Tags:         resource.TagList,
	})
}

// trail is AWS::CloudTrail::Trail: CreateTrail, then PutEventSelectors
// and StartLogging or StopLogging as IsLogging says; updates go
// through UpdateTrail and the tagging operations. Its physical ID and
// Ref are its name.
type trail struct{}

var trailKinds = map[string]kind{
	"IsLogging": boolean, "IsMultiRegionTrail": boolean, "IncludeGlobalServiceEvents": boolean,
	"EnableLogFileValidation": boolean, "IsOrganizationTrail": boolean, "IncludeManagementEvents": boolean,
}

// maxTrailName is the longest trail name: "Be between 3 and 128
// characters".
const maxTrailName = 128

// trailSettings is CreateTrail's and UpdateTrail's input for a trail's
// properties (CloudFormation's KMSKeyId is the API's KmsKeyId).
func trailSettings(name string, p props) map[string]any {
	in := p.pick(map[string]any{"Name": name}, "S3BucketName", "S3KeyPrefix", "SnsTopicName", "IsMultiRegionTrail",
		"IncludeGlobalServiceEvents", "EnableLogFileValidation", "CloudWatchLogsLogGroupArn", "CloudWatchLogsRoleArn",
		"IsOrganizationTrail")
	if p.has("KMSKeyId") {
		in["KmsKeyId"] = p["KMSKeyId"]
	}
	return in
}

func (trail) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, trailKinds)
	name := p.str("TrailName")
	if name == "" {
		name = physicalName(r, maxTrailName)
	}
	in := trailSettings(name, p)
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["TagsList"] = tagList(tags)
	}
	if _, err := call(ctx, r, "cloudtrail", "CreateTrail", in); err != nil {
		return nil, err
	}
	if err := trailSelectorsAndLogging(ctx, r, name, p, nil); err != nil {
		// A trail left half made would hold its name.
		call(ctx, r, "cloudtrail", "DeleteTrail", map[string]any{"Name": name})
		return nil, err
	}
	return trailResult(ctx, r, name)
}

// trailSelectorsAndLogging puts the trail's selectors, when given or
// changed, and turns logging on or off as IsLogging says.
func trailSelectorsAndLogging(ctx context.Context, r *resource.Request, name string, p, old props) error {
	if p.has("EventSelectors") || p.has("AdvancedEventSelectors") {
		if old == nil || changed(old, p, "EventSelectors", "AdvancedEventSelectors") {
			in := p.pick(map[string]any{"TrailName": name}, "EventSelectors", "AdvancedEventSelectors")
			if _, err := call(ctx, r, "cloudtrail", "PutEventSelectors", in); err != nil {
				return err
			}
		}
	}
	op := "StopLogging"
	if p.flag("IsLogging") {
		op = "StartLogging"
	}
	_, err := call(ctx, r, "cloudtrail", op, map[string]any{"Name": name})
	return err
}

func trailResult(ctx context.Context, r *resource.Request, name string) (*resource.Result, error) {
	out, err := call(ctx, r, "cloudtrail", "GetTrail", map[string]any{"Name": name})
	if err != nil {
		return &resource.Result{PhysicalID: name}, err // made: the rollback deletes it
	}
	t := asMap(out["Trail"])
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{
		"Arn": outStr(t, "TrailARN"), "SnsTopicArn": outStr(t, "SnsTopicARN"),
	}}, nil
}

func (trail) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, trailKinds)
	name := r.PhysicalID
	if _, err := call(ctx, r, "cloudtrail", "UpdateTrail", trailSettings(name, p)); err != nil {
		return nil, err
	}
	arn, _ := r.Attributes["Arn"].(string)
	set, removed := tagDiff(tagMap(old["Tags"]), tagMap(p["Tags"]))
	if len(removed) > 0 {
		var tags []any
		for _, k := range removed {
			tags = append(tags, map[string]any{"Key": k})
		}
		if _, err := call(ctx, r, "cloudtrail", "RemoveTags", map[string]any{"ResourceId": arn, "TagsList": tags}); err != nil {
			return nil, err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "cloudtrail", "AddTags", map[string]any{"ResourceId": arn, "TagsList": tagList(set)}); err != nil {
			return nil, err
		}
	}
	if err := trailSelectorsAndLogging(ctx, r, name, p, old); err != nil {
		return nil, err
	}
	return trailResult(ctx, r, name)
}

func (trail) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "cloudtrail", "DeleteTrail", map[string]any{"Name": r.PhysicalID})
	return ignoreGone(err)
}
