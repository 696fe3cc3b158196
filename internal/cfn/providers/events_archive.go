package providers

import (
	"context"
	"encoding/json"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::Events::Archive",
		Required: []string{"SourceArn"},
		Provider: eventArchive{},
		// The schema's create-only properties: an archive's source bus
		// cannot change.
		Replace:    []string{"ArchiveName", "SourceArn"},
		Attributes: []string{"Arn"},
	})
}

// eventArchive is AWS::Events::Archive: CreateArchive, UpdateArchive and
// DeleteArchive. Its Ref is the archive's name, generated when the
// template gives none; Fn::GetAtt Arn is its ARN.
type eventArchive struct{}

var archiveKinds = map[string]kind{"RetentionDays": number}

func (eventArchive) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, archiveKinds)
	name := p.str("ArchiveName")
	if name == "" {
		name = physicalName(r, maxArchiveName)
	}
	in := p.pick(map[string]any{"ArchiveName": name, "EventSourceArn": p.str("SourceArn")}, "Description", "RetentionDays")
	if p.has("EventPattern") {
		pattern, err := jsonText(p["EventPattern"])
		if err != nil {
			return nil, err
		}
		in["EventPattern"] = pattern
	}
	out, err := call(ctx, r, "events", "CreateArchive", in)
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{"Arn": outStr(out, "ArchiveArn")}}, nil
}

// Update sets the three properties that change in place; one the
// template no longer gives goes back to its default (no description, no
// pattern: every event, retention 0: for ever).
func (eventArchive) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, archiveKinds)
	in := map[string]any{"ArchiveName": r.PhysicalID, "Description": p.str("Description"), "EventPattern": "", "RetentionDays": json.Number("0")}
	if p.has("RetentionDays") {
		in["RetentionDays"] = p["RetentionDays"]
	}
	if p.has("EventPattern") {
		pattern, err := jsonText(p["EventPattern"])
		if err != nil {
			return nil, err
		}
		in["EventPattern"] = pattern
	}
	out, err := call(ctx, r, "events", "UpdateArchive", in)
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"Arn": outStr(out, "ArchiveArn")}}, nil
}

func (eventArchive) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "events", "DeleteArchive", map[string]any{"ArchiveName": r.PhysicalID})
	return ignoreGone(err)
}
