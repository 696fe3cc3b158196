package apigatewayv2

import (
	"context"
	"maps"
	"strings"
)

// maxTags is how many tags a resource may have: "Maximum number of tags
// per resource: 50".
const maxTags = 50

// taggable is a resource tags are set on: an API, one of its stages,
// or a VPC link.
type taggable struct {
	apiID, stage string
	vpcLink      string
}

// parseTaggable reads a resource ARN of this region:
// arn:aws:apigateway:REGION::/apis/ID[/stages/NAME] or
// arn:aws:apigateway:REGION::/vpclinks/ID.
func (s *Service) parseTaggable(arn string) (taggable, error) {
	if id, ok := strings.CutPrefix(arn, "arn:aws:apigateway:"+s.region+"::/vpclinks/"); ok && id != "" && !strings.Contains(id, "/") {
		return taggable{vpcLink: id}, nil
	}
	rest, ok := strings.CutPrefix(arn, "arn:aws:apigateway:"+s.region+"::/apis/")
	if !ok {
		return taggable{}, badRequest("Invalid resource ARN %s: virga tags HTTP APIs, their stages and VPC links, arn:aws:apigateway:%s::/apis/ID[/stages/NAME] or ::/vpclinks/ID.", arn, s.region)
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

// withTags calls fn with the tags of the resource the ARN names; when
// write is set, fn changes a copy of the resource, which is committed.
func (s *Service) withTags(arn string, write bool, fn func(tags *map[string]string) error) error {
	t, err := s.parseTaggable(arn)
	if err != nil {
		return err
	}
	if t.vpcLink != "" {
		if !write {
			l, err := s.vpcLink(t.vpcLink)
			if err != nil {
				return err
			}
			return fn(&l.Tags)
		}
		_, err := s.changeVpcLink(t.vpcLink, func(l *vpcLinkRecord) error { return fn(&l.Tags) })
		return err
	}
	if !write {
		a, err := s.get(t.apiID)
		if err != nil {
			return err
		}
		tags, err := tagsOf(a, t)
		if err != nil {
			return err
		}
		return fn(tags)
	}
	_, err = s.update(t.apiID, false, func(a *apiRecord) error {
		tags, err := tagsOf(a, t)
		if err != nil {
			return err
		}
		return fn(tags)
	})
	return err
}

func (s *Service) tagResource(ctx context.Context, in *TagResourceRequest) (*TagResourceResponse, error) {
	return nil, s.withTags(*in.ResourceArn, true, func(tags *map[string]string) error {
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
}

func (s *Service) untagResource(ctx context.Context, in *UntagResourceRequest) (*noOutput, error) {
	return nil, s.withTags(*in.ResourceArn, true, func(tags *map[string]string) error {
		for _, k := range in.TagKeys {
			delete(*tags, k)
		}
		return nil
	})
}

func (s *Service) getTags(ctx context.Context, in *GetTagsRequest) (*GetTagsResponse, error) {
	var out map[string]string
	err := s.withTags(*in.ResourceArn, false, func(tags *map[string]string) error {
		out = tagsOut(*tags)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &GetTagsResponse{Tags: out}, nil
}
