package apigatewayv2

import (
	"context"
	"maps"
	"strings"
)

// maxTags is how many tags a resource may have: "Maximum number of tags
// per resource: 50".
const maxTags = 50

// taggable is a resource tags are set on: an API, or one of its stages.
type taggable struct {
	apiID, stage string
}

// parseTaggable reads a resource ARN of this region:
// arn:aws:apigateway:REGION::/apis/ID[/stages/NAME].
func (s *Service) parseTaggable(arn string) (taggable, error) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:apigateway:"+s.region+"::/apis/")
	if !ok {
		return taggable{}, badRequest("Invalid resource ARN %s: virga tags HTTP APIs and their stages, arn:aws:apigateway:%s::/apis/ID[/stages/NAME].", arn, s.region)
	}
	id, stagePart, hasStage := strings.Cut(rest, "/")
	t := taggable{apiID: id}
	if hasStage {
		name, ok := strings.CutPrefix(stagePart, "stages/")
		if !ok || name == "" || strings.Contains(name, "/") {
			return taggable{}, badRequest("Invalid resource ARN %s: virga tags HTTP APIs and their stages.", arn)
		}
		t.stage = name
	}
	if id == "" {
		return taggable{}, badRequest("Invalid resource ARN %s.", arn)
	}
	return t, nil
}

// tagsOf returns a pointer to the tag map of the resource t names in a.
func tagsOf(a *apiRecord, t taggable) (*map[string]string, error) {
	if t.stage == "" {
		return &a.Tags, nil
	}
	st := a.Stages[t.stage]
	if st == nil {
		return nil, stageNotFound(t.stage)
	}
	return &st.Tags, nil
}

func (s *Service) tagResource(ctx context.Context, in *TagResourceRequest) (*TagResourceResponse, error) {
	t, err := s.parseTaggable(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	_, err = s.update(t.apiID, false, func(a *apiRecord) error {
		tags, err := tagsOf(a, t)
		if err != nil {
			return err
		}
		merged := maps.Clone(*tags)
		if merged == nil {
			merged = map[string]string{}
		}
		maps.Copy(merged, in.Tags)
		if len(merged) > maxTags {
			return badRequest("A resource can have at most %d tags.", maxTags)
		}
		*tags = merged
		return nil
	})
	return nil, err
}

func (s *Service) untagResource(ctx context.Context, in *UntagResourceRequest) (*noOutput, error) {
	t, err := s.parseTaggable(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	_, err = s.update(t.apiID, false, func(a *apiRecord) error {
		tags, err := tagsOf(a, t)
		if err != nil {
			return err
		}
		for _, k := range in.TagKeys {
			delete(*tags, k)
		}
		return nil
	})
	return nil, err
}

func (s *Service) getTags(ctx context.Context, in *GetTagsRequest) (*GetTagsResponse, error) {
	t, err := s.parseTaggable(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	a, err := s.get(t.apiID)
	if err != nil {
		return nil, err
	}
	tags, err := tagsOf(a, t)
	if err != nil {
		return nil, err
	}
	return &GetTagsResponse{Tags: tagsOut(*tags)}, nil
}
