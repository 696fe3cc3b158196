package cloudtrail

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/virga/virga/internal/store/keys"
)

// The store layout, every key under "cloudtrail", a kind and the account:
//
//	t/NAME              trailRecord (JSON)
//	h/UNIX_NS/EVENT_ID  historyEntry (JSON): a management event

// maxTrailsPerRegion is CloudTrail's quota: "Trails per Region: 5".
const maxTrailsPerRegion = 5

// maxTagsPerTrail is the number of tags a trail may have: "Currently,
// the limit is 50" (TagsLimitExceededException). Tags in the aws:
// namespace, which AWS sets itself (CloudFormation's stack tags), do not
// count (awsproto.UserTags).
const maxTagsPerTrail = 50

func rootKey(kind, account string) []byte {
	k := keys.AppendString(nil, "cloudtrail")
	k = keys.AppendString(k, kind)
	return keys.AppendString(k, account)
}

func trailKey(account, name string) []byte {
	return keys.AppendString(rootKey("t", account), name)
}

// trailRecord is a trail as stored.
type trailRecord struct {
	Name                      string
	S3BucketName              string
	S3KeyPrefix               string `json:",omitempty"`
	SnsTopicName              string `json:",omitempty"`
	IncludeGlobalServiceEvent bool
	IsMultiRegionTrail        bool
	LogFileValidation         bool
	CloudWatchLogsLogGroupArn string `json:",omitempty"`
	CloudWatchLogsRoleArn     string `json:",omitempty"`
	KmsKeyId                  string `json:",omitempty"`
	IsOrganizationTrail       bool
	HomeRegion                string
	Created                   time.Time

	Logging      bool
	StartLogging time.Time `json:",omitzero"`
	StopLogging  time.Time `json:",omitzero"`

	// EventSelectors and AdvancedEventSelectors are what
	// PutEventSelectors set, one of them; both nil is the default (all
	// management events, no data events). Custom is set once
	// PutEventSelectors was called.
	EventSelectors         []EventSelector         `json:",omitempty"`
	AdvancedEventSelectors []AdvancedEventSelector `json:",omitempty"`
	Custom                 bool

	Tags []tagPair `json:",omitempty"`

	// Delivery is the outcome of the trail's log file deliveries.
	Delivery deliveryStatus `json:",omitzero"`
}

type tagPair struct{ Key, Value string }

// load reads the trails into memory.
func (s *Service) load() error {
	prefix := rootKey("t", s.account)
	it, err := s.store.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		var t trailRecord
		if err := json.Unmarshal(it.Value(), &t); err != nil {
			return fmt.Errorf("cloudtrail: trail record: %w", err)
		}
		s.trails[t.Name] = &t
	}
	if err := it.Error(); err != nil {
		return err
	}
	return s.countHistory()
}

// save writes a trail. mu must be held.
func (s *Service) save(t *trailRecord) error {
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	batch := s.store.NewBatch()
	defer batch.Close()
	batch.Set(trailKey(s.account, t.Name), b)
	return batch.Commit()
}

// trailARN is the ARN of the trail name in virga's region.
func (s *Service) trailARN(name string) string {
	return "arn:aws:cloudtrail:" + s.region + ":" + s.account + ":trail/" + name
}

// trailNameOf returns the name a trail reference gives: the name
// itself, or the last part of a trail ARN.
func trailNameOf(ref string) string {
	if strings.HasPrefix(ref, "arn:") {
		if i := strings.LastIndex(ref, ":trail/"); i >= 0 {
			return ref[i+len(":trail/"):]
		}
	}
	return ref
}

// lookup finds the trail a Name or TrailName parameter refers to, by
// name or ARN. mu must be held.
func (s *Service) lookup(ref string) (*trailRecord, error) {
	if strings.HasPrefix(ref, "arn:") {
		parts := strings.SplitN(ref, ":", 6)
		if len(parts) != 6 || parts[2] != "cloudtrail" || !strings.HasPrefix(parts[5], "trail/") {
			return nil, ErrCloudTrailARNInvalid.Withf("Invalid trail ARN: %s", ref)
		}
		if parts[3] != s.region || parts[4] != s.account {
			return nil, s.notFound(ref)
		}
		if t := s.trails[trailNameOf(ref)]; t != nil {
			return t, nil
		}
		return nil, s.notFound(ref)
	}
	if err := checkTrailName(ref); err != nil {
		return nil, err
	}
	if t := s.trails[ref]; t != nil {
		return t, nil
	}
	return nil, s.notFound(s.trailARN(ref))
}

// checkTrailName applies CloudTrail's trail name rules: ASCII letters,
// digits, periods, underscores and dashes; starting and ending with a
// letter or digit; 3 to 128 characters; no two of ". _ -" adjacent; not
// an IP address.
func checkTrailName(name string) error {
	switch {
	case len(name) < 3:
		return ErrInvalidTrailName.Withf("Trail name too short. Minimum allowed length: 3 characters. Specified name length: %d characters.", len(name))
	case len(name) > 128:
		return ErrInvalidTrailName.Withf("Trail name too long. Maximum allowed length: 128 characters. Specified name length: %d characters.", len(name))
	}
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }
	if !alnum(name[0]) || !alnum(name[len(name)-1]) {
		return ErrInvalidTrailName.WithMessage("Trail name must starts with a letter or number.")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if alnum(c) {
			continue
		}
		if c != '.' && c != '_' && c != '-' {
			return ErrInvalidTrailName.WithMessage("Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).")
		}
		if !alnum(name[i-1]) {
			return ErrInvalidTrailName.WithMessage("Trail name cannot contain consecutive special characters.")
		}
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return ErrInvalidTrailName.WithMessage("Trail name cannot be in an IP address format.")
	}
	return nil
}

// checkBucket checks a trail's S3 bucket: a valid name of a bucket that
// exists.
func (s *Service) checkBucket(name string) error {
	if len(name) < 3 || len(name) > 63 {
		return ErrInvalidS3BucketName.Withf("Bucket name should be between 3 and 63 characters long: %s", name)
	}
	if s.buckets != nil && !s.buckets.BucketExists(name) {
		return ErrS3BucketDoesNotExist.Withf("S3 bucket does not exist: %s", name)
	}
	return nil
}

// snsTopicARN is the ARN of a trail's SNS topic, given by name or ARN.
func (s *Service) snsTopicARN(topic string) string {
	if topic == "" || strings.HasPrefix(topic, "arn:") {
		return topic
	}
	return "arn:aws:sns:" + s.region + ":" + s.account + ":" + topic
}

// trailOut is a trail as DescribeTrails and GetTrail give it.
func (s *Service) trailOut(t *trailRecord) Trail {
	out := Trail{
		Name:                       ptr(t.Name),
		S3BucketName:               ptr(t.S3BucketName),
		IncludeGlobalServiceEvents: ptr(t.IncludeGlobalServiceEvent),
		IsMultiRegionTrail:         ptr(t.IsMultiRegionTrail),
		HomeRegion:                 ptr(t.HomeRegion),
		TrailARN:                   ptr(s.trailARN(t.Name)),
		LogFileValidationEnabled:   ptr(t.LogFileValidation),
		HasCustomEventSelectors:    ptr(t.Custom),
		HasInsightSelectors:        ptr(false),
		IsOrganizationTrail:        ptr(t.IsOrganizationTrail),
	}
	if t.S3KeyPrefix != "" {
		out.S3KeyPrefix = ptr(t.S3KeyPrefix)
	}
	if t.SnsTopicName != "" {
		out.SnsTopicName = ptr(t.SnsTopicName)
		out.SnsTopicARN = ptr(s.snsTopicARN(t.SnsTopicName))
	}
	if t.CloudWatchLogsLogGroupArn != "" {
		out.CloudWatchLogsLogGroupArn = ptr(t.CloudWatchLogsLogGroupArn)
		out.CloudWatchLogsRoleArn = ptr(t.CloudWatchLogsRoleArn)
	}
	if t.KmsKeyId != "" {
		out.KmsKeyId = ptr(t.KmsKeyId)
	}
	return out
}

// sortedTrails returns the trails by name. mu must be held.
func (s *Service) sortedTrails() []*trailRecord {
	out := make([]*trailRecord, 0, len(s.trails))
	for _, t := range s.trails {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// deleteTrailRecord removes a trail from the store. mu must be held.
func (s *Service) deleteTrailRecord(name string) error {
	batch := s.store.NewBatch()
	defer batch.Close()
	batch.Delete(trailKey(s.account, name))
	return batch.Commit()
}
