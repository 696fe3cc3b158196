package apigateway

import (
	"context"
	"maps"
	"strings"
)

// taggable is what an ARN names: an API, one of its stages, or one of
// the account's client certificates and VPC links (record).
type taggable struct {
	st     *apiState
	stage  *stage // nil for the API itself
	record *taggedRecord
}

// taggedRecord is an account-level record's tags, and how to store the
// record with new ones.
type taggedRecord struct {
	tags map[string]string
	save func(tags map[string]string) error
}

// resolveARN finds what a tagging ARN names:
// arn:aws:apigateway:REGION::/restapis/ID, .../restapis/ID/stages/NAME or
// .../clientcertificates/ID or .../vpclinks/ID.
// The caller holds s.mu.
func (s *Service) resolveARN(arn string) (taggable, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "apigateway" {
		return taggable{}, badRequest(msgInvalidARN)
	}
	segs := strings.Split(strings.TrimPrefix(parts[5], "/"), "/")
	if len(segs) == 2 && segs[0] == "clientcertificates" {
		return accountTaggable(s, s.clientCerts, segs[1], func(c *clientCertRecord) *map[string]string { return &c.Tags })
	}
	if len(segs) == 2 && segs[0] == "vpclinks" {
		return accountTaggable(s, s.vpcLinks, segs[1], func(l *vpcLinkRecord) *map[string]string { return &l.Tags })
	}
	if len(segs) < 2 || segs[0] != "restapis" {
		return taggable{}, badRequest(msgInvalidARN)
	}
	st := s.apis[segs[1]]
	if st == nil {
		return taggable{}, s.apiNotFound(segs[1])
	}
	switch {
	case len(segs) == 2:
		return taggable{st: st}, nil
	case len(segs) == 4 && segs[2] == "stages":
		g := st.stages[segs[3]]
		if g == nil {
			return taggable{}, notFound(msgStageNotFound)
		}
		return taggable{st: st, stage: g}, nil
	}
	return taggable{}, badRequest(msgInvalidARN)
}

// retag replaces the tags of what t names with f's result.
func (s *Service) retag(t taggable, f func(map[string]string) (map[string]string, error)) error {
	if t.record != nil {
		tags, err := f(maps.Clone(t.record.tags))
		if err != nil {
			return err
		}
		return t.record.save(tags)
	}
	if t.stage != nil {
		g := *t.stage
		tags, err := f(maps.Clone(g.Tags))
		if err != nil {
			return err
		}
		g.Tags = tags
		return s.putStage(t.st, &g)
	}
	_, err := editDefinitionLocked(s, t.st, func(a *restAPI) (*noOutput, error) {
		tags, err := f(maps.Clone(a.Tags))
		a.Tags = tags
		return nil, err
	})
	return err
}

func (s *Service) tagResource(ctx context.Context, in *TagResourceRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.resolveARN(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return nil, s.retag(t, func(tags map[string]string) (map[string]string, error) {
		if tags == nil {
			tags = map[string]string{}
		}
		maps.Copy(tags, in.Tags)
		if len(tags) > maxTags {
			return nil, badRequest("Too many tags: a resource can have at most %d", maxTags)
		}
		return tags, nil
	})
}

func (s *Service) untagResource(ctx context.Context, in *UntagResourceRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.resolveARN(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return nil, s.retag(t, func(tags map[string]string) (map[string]string, error) {
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
		if len(tags) == 0 {
			tags = nil
		}
		return tags, nil
	})
}

func (s *Service) getTags(ctx context.Context, in *GetTagsRequest) (*Tags, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, err := s.resolveARN(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	var tags map[string]string
	switch {
	case t.record != nil:
		tags = t.record.tags
	case t.stage != nil:
		tags = t.stage.Tags
	default:
		tags = t.st.def.Tags
	}
	out := &Tags{Tags: maps.Clone(tags)}
	if out.Tags == nil {
		out.Tags = map[string]string{}
	}
	return out, nil
}

// accountTaggable is an account-level record's tags, tagsOf pointing at
// them in a record.
func accountTaggable[T any](s *Service, records *accountRecords[T], id string, tagsOf func(*T) *map[string]string) (taggable, error) {
	v, err := records.get(id)
	if err != nil {
		return taggable{}, err
	}
	return taggable{record: &taggedRecord{*tagsOf(v), func(tags map[string]string) error {
		c := *v
		*tagsOf(&c) = tags
		return records.put(s, &c)
	}}}, nil
}
