package logs

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/store/keys"
)

// retentionDays are the values PutRetentionPolicy accepts.
var retentionDays = []int32{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// classStandard is the log group class a group has unless created with
// another.
const classStandard = LogGroupClass("STANDARD")

func (s *Service) groupARN(name string) string {
	return "arn:aws:logs:" + s.region + ":" + s.account + ":log-group:" + name
}

func (s *Service) createLogGroup(ctx context.Context, in *CreateLogGroupRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.ensureGroup(*in.LogGroupName, false, in.Tags, deref(in.KmsKeyId))
	if err != nil || in.LogGroupClass == nil || *in.LogGroupClass == classStandard {
		return &noOutput{}, err
	}
	g.Class = string(*in.LogGroupClass)
	b := s.store.NewBatch()
	defer b.Close()
	if err := setJSON(b, groupKey(g.Name), g); err != nil {
		return nil, err
	}
	return &noOutput{}, b.Commit()
}

// ensureGroup creates a group; an existing one is an error unless quiet.
// The caller holds s.mu.
func (s *Service) ensureGroup(name string, quiet bool, tags map[string]string, kms string) (*group, error) {
	g, err := getJSON[group](s.store, groupKey(name))
	if err != nil {
		return nil, err
	}
	if g != nil {
		if quiet {
			return g, nil
		}
		return nil, ErrResourceAlreadyExists.WithMessage("The specified log group already exists")
	}
	g = &group{Name: name, Created: s.clock.Now().UnixMilli(), Tags: tags, KMSKeyID: kms}
	b := s.store.NewBatch()
	defer b.Close()
	if err := setJSON(b, groupKey(name), g); err != nil {
		return nil, err
	}
	return g, b.Commit()
}

func (s *Service) group(name string) (*group, error) {
	g, err := getJSON[group](s.store, groupKey(name))
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, groupNotFound()
	}
	return g, nil
}

func (s *Service) deleteLogGroup(ctx context.Context, in *DeleteLogGroupRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := *in.LogGroupName
	if _, err := s.group(name); err != nil {
		return nil, err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(groupKey(name))
	s.dropSubscriptions(b, name)
	s.dropMetricFilters(b, name)
	for _, p := range [][]byte{streamsPrefix(name), keys.AppendString(base("event"), name), timePrefix(name)} {
		b.DeleteRange(p, keys.PrefixEnd(p))
	}
	return &noOutput{}, b.Commit()
}

func (s *Service) describeLogGroups(ctx context.Context, in *DescribeLogGroupsRequest) (*DescribeLogGroupsResponse, error) {
	p := base("group")
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	prefix, pattern := deref(in.LogGroupNamePrefix), strings.ToLower(deref(in.LogGroupNamePattern))
	if prefix != "" && pattern != "" {
		return nil, ErrInvalidParameter.WithMessage("LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.")
	}
	limit := 50
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	after := deref(in.NextToken)
	out := &DescribeLogGroupsResponse{LogGroups: []LogGroup{}}
	for ok := it.First(); ok; ok = it.Next() {
		g := &group{}
		if err := json.Unmarshal(it.Value(), g); err != nil {
			return nil, err
		}
		class := classStandard
		if g.Class != "" {
			class = LogGroupClass(g.Class)
		}
		if !strings.HasPrefix(g.Name, prefix) || (pattern != "" && !strings.Contains(strings.ToLower(g.Name), pattern)) || (after != "" && g.Name <= after) ||
			(in.LogGroupClass != nil && *in.LogGroupClass != class) {
			continue
		}
		if len(out.LogGroups) == limit {
			out.NextToken = ptr(*out.LogGroups[limit-1].LogGroupName)
			break
		}
		lg := LogGroup{
			LogGroupName: ptr(g.Name), CreationTime: ptr(g.Created), MetricFilterCount: ptr(int32(0)),
			// arn carries a trailing :* (the form IAM policies use);
			// logGroupArn does not (the form tagging and
			// logGroupIdentifier take).
			Arn: ptr(s.groupARN(g.Name) + ":*"), LogGroupArn: ptr(s.groupARN(g.Name)),
			StoredBytes: ptr(s.storedBytes(g.Name)), LogGroupClass: ptr(class),
		}
		if g.RetentionDays != 0 {
			lg.RetentionInDays = ptr(g.RetentionDays)
		}
		if g.KMSKeyID != "" {
			lg.KmsKeyId = ptr(g.KMSKeyID)
		}
		out.LogGroups = append(out.LogGroups, lg)
	}
	return out, it.Error()
}

func (s *Service) storedBytes(g string) int64 {
	var n int64
	streams, _ := s.streams(g)
	for _, st := range streams {
		n += st.StoredBytes
	}
	return n
}

// retentionDaysList is retentionDays as AWS lists an enum's values in a
// validation message: "[1, 3, 5, ...]".
var retentionDaysList = func() string {
	parts := make([]string, len(retentionDays))
	for i, d := range retentionDays {
		parts[i] = strconv.FormatInt(int64(d), 10)
	}
	return strings.Join(parts, ", ")
}()

func (s *Service) putRetentionPolicy(ctx context.Context, in *PutRetentionPolicyRequest) (*noOutput, error) {
	days := deref(in.RetentionInDays)
	i := sort.Search(len(retentionDays), func(i int) bool { return retentionDays[i] >= days })
	if i == len(retentionDays) || retentionDays[i] != days {
		return nil, ErrInvalidParameter.Withf("1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [%s]", days, retentionDaysList)
	}
	return &noOutput{}, s.updateGroup(*in.LogGroupName, func(g *group) { g.RetentionDays = days })
}

func (s *Service) deleteRetentionPolicy(ctx context.Context, in *DeleteRetentionPolicyRequest) (*noOutput, error) {
	return &noOutput{}, s.updateGroup(*in.LogGroupName, func(g *group) { g.RetentionDays = 0 })
}

func (s *Service) updateGroup(name string, f func(*group)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.group(name)
	if err != nil {
		return err
	}
	f(g)
	b := s.store.NewBatch()
	defer b.Close()
	if err := setJSON(b, groupKey(name), g); err != nil {
		return err
	}
	return b.Commit()
}

func (s *Service) tagLogGroup(ctx context.Context, in *TagLogGroupRequest) (*noOutput, error) {
	return &noOutput{}, s.updateGroup(*in.LogGroupName, func(g *group) { mergeTags(g, in.Tags) })
}

func (s *Service) untagLogGroup(ctx context.Context, in *UntagLogGroupRequest) (*noOutput, error) {
	return &noOutput{}, s.updateGroup(*in.LogGroupName, func(g *group) { dropTags(g, in.Tags) })
}

func (s *Service) listTagsLogGroup(ctx context.Context, in *ListTagsLogGroupRequest) (*ListTagsLogGroupResponse, error) {
	g, err := s.group(*in.LogGroupName)
	if err != nil {
		return nil, err
	}
	return &ListTagsLogGroupResponse{Tags: orEmpty(g.Tags)}, nil
}

// logGroupOf is the log group a request names, by logGroupName or by
// logGroupIdentifier (the group's name or this account's ARN for it;
// another account's ARN names no group here); the two exclude each other.
func (s *Service) logGroupOf(name, identifier *string) (string, error) {
	switch {
	case name != nil && identifier != nil:
		return "", ErrValidation.WithMessage("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case name != nil:
		return *name, nil
	case identifier != nil:
		if g, err := s.groupFromARN(*identifier); err == nil {
			return g, nil
		}
		return *identifier, nil
	}
	return "", ErrInvalidParameter.WithMessage("Either logGroupName or logGroupIdentifier must be specified.")
}

// groupFromARN reads a log group ARN (with or without the trailing :*).
func (s *Service) groupFromARN(arn string) (string, error) {
	p := "arn:aws:logs:" + s.region + ":" + s.account + ":log-group:"
	if !strings.HasPrefix(arn, p) {
		return "", ErrInvalidParameter.Withf("Invalid resource arn: %s", arn)
	}
	return strings.TrimSuffix(strings.TrimPrefix(arn, p), ":*"), nil
}

func (s *Service) tagResource(ctx context.Context, in *TagResourceRequest) (*noOutput, error) {
	name, err := s.groupFromARN(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return &noOutput{}, s.updateGroup(name, func(g *group) { mergeTags(g, in.Tags) })
}

func (s *Service) untagResource(ctx context.Context, in *UntagResourceRequest) (*noOutput, error) {
	name, err := s.groupFromARN(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return &noOutput{}, s.updateGroup(name, func(g *group) { dropTags(g, in.TagKeys) })
}

func (s *Service) listTagsForResource(ctx context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResponse, error) {
	name, err := s.groupFromARN(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	g, err := s.group(name)
	if err != nil {
		return nil, err
	}
	return &ListTagsForResourceResponse{Tags: orEmpty(g.Tags)}, nil
}

func mergeTags(g *group, tags map[string]string) {
	if g.Tags == nil {
		g.Tags = map[string]string{}
	}
	for k, v := range tags {
		g.Tags[k] = v
	}
}

func dropTags(g *group, keys []string) {
	for _, k := range keys {
		delete(g.Tags, k)
	}
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
