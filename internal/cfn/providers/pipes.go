package providers

import (
	"context"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::Pipes::Pipe",
		Required: []string{"RoleArn", "Source", "Target"},
		Provider: pipe{},
		// A pipe's name and source cannot change (UpdatePipe takes
		// neither). A stream source's starting position cannot either:
		// UpdatePipe leaves it as it was.
		Replace:      []string{"Name", "Source"},
		NameProperty: "Name",
		Attributes:   []string{"Arn", "CreationTime", "CurrentState", "LastModifiedTime", "StateReason"},
	})
}

// maxPipeName is the length limit of a pipe's name (the model's
// PipeName: 64).
const maxPipeName = 64

// pipe is AWS::Pipes::Pipe: CreatePipe, UpdatePipe with the tagging
// operations, DeletePipe. Its physical ID and Ref are its name.
type pipe struct{}

var pipeKinds = map[string]kind{
	"BatchSize": number, "MaximumBatchingWindowInSeconds": number, "MaximumRecordAgeInSeconds": number,
	"MaximumRetryAttempts": number, "ParallelizationFactor": number,
}

// pipeSourceParameters are SourceParameters as the API takes them:
// StartingPositionTimestamp in seconds rather than ISO 8601 text.
func pipeSourceParameters(v any) any {
	sp, ok := v.(map[string]any)
	if !ok {
		return v
	}
	k, ok := sp["KinesisStreamParameters"].(map[string]any)
	if !ok || k["StartingPositionTimestamp"] == nil {
		return v
	}
	out := make(map[string]any, len(sp))
	for key, val := range sp {
		out[key] = val
	}
	nk := make(map[string]any, len(k))
	for key, val := range k {
		nk[key] = val
	}
	if s, ok := text(k["StartingPositionTimestamp"]); ok {
		nk["StartingPositionTimestamp"] = epochSeconds(s)
	}
	out["KinesisStreamParameters"] = nk
	return out
}

// updateSourceParameters are SourceParameters as UpdatePipe takes them:
// without what cannot change.
func updateSourceParameters(v any) any {
	sp, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := make(map[string]any, len(sp))
	for key, val := range sp {
		m, ok := val.(map[string]any)
		if !ok || (key != "DynamoDBStreamParameters" && key != "KinesisStreamParameters") {
			out[key] = val
			continue
		}
		nm := make(map[string]any, len(m))
		for k, x := range m {
			if k != "StartingPosition" && k != "StartingPositionTimestamp" {
				nm[k] = x
			}
		}
		out[key] = nm
	}
	return out
}

func (pipe) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, pipeKinds)
	name := p.str("Name")
	if name == "" {
		name = physicalName(r, maxPipeName)
	}
	in := p.pick(map[string]any{"Name": name}, "Description", "DesiredState", "Enrichment", "EnrichmentParameters",
		"RoleArn", "Source", "Target", "TargetParameters")
	if p.has("SourceParameters") {
		in["SourceParameters"] = pipeSourceParameters(p["SourceParameters"])
	}
	if tags, ok := p["Tags"].(map[string]any); ok && len(tags) > 0 {
		in["Tags"] = tags
	}
	if _, err := call(ctx, r, "pipes", "CreatePipe", in); err != nil {
		return nil, err
	}
	return pipeResult(ctx, r, name)
}

func (pipe) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, pipeKinds)
	in := p.pick(map[string]any{"Name": r.PhysicalID}, "Description", "DesiredState", "EnrichmentParameters",
		"RoleArn", "Target", "TargetParameters")
	// A removed enrichment is removed with an empty Enrichment.
	in["Enrichment"] = p.str("Enrichment")
	if p.has("SourceParameters") {
		in["SourceParameters"] = updateSourceParameters(pipeSourceParameters(p["SourceParameters"]))
	}
	if _, err := call(ctx, r, "pipes", "UpdatePipe", in); err != nil {
		return nil, err
	}
	res, err := pipeResult(ctx, r, r.PhysicalID)
	if err != nil {
		return nil, err
	}
	arn := res.Attributes["Arn"]
	cur, _ := p["Tags"].(map[string]any)
	prev, _ := old["Tags"].(map[string]any)
	var removed []string
	for k := range prev {
		if _, ok := cur[k]; !ok {
			removed = append(removed, k)
		}
	}
	if len(removed) > 0 {
		if _, err := call(ctx, r, "pipes", "UntagResource", map[string]any{"resourceArn": arn, "tagKeys": anyStrings(removed)}); err != nil {
			return nil, err
		}
	}
	if len(cur) > 0 {
		if _, err := call(ctx, r, "pipes", "TagResource", map[string]any{"resourceArn": arn, "tags": cur}); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// pipeResult is a pipe's physical ID and attributes, as DescribePipe
// gives them.
func pipeResult(ctx context.Context, r *resource.Request, name string) (*resource.Result, error) {
	out, err := call(ctx, r, "pipes", "DescribePipe", map[string]any{"Name": name})
	if err != nil {
		return &resource.Result{PhysicalID: name}, err // made: the rollback deletes it
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{
		"Arn":              outStr(out, "Arn"),
		"CurrentState":     outStr(out, "CurrentState"),
		"StateReason":      outStr(out, "StateReason"),
		"CreationTime":     isoDate(out["CreationTime"]),
		"LastModifiedTime": isoDate(out["LastModifiedTime"]),
	}}, nil
}

func (pipe) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "pipes", "DeletePipe", map[string]any{"Name": r.PhysicalID})
	return ignoreGone(err)
}
