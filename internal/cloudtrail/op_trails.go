package cloudtrail

import (
	"context"
	"strings"
)

func (s *Service) createTrail(ctx context.Context, in *CreateTrailRequest) (*CreateTrailResponse, error) {
	name := *in.Name
	if err := checkTrailName(name); err != nil {
		return nil, err
	}
	if deref(in.IsOrganizationTrail) {
		return nil, ErrOperationNotPermitted.WithMessage("virga has no AWS Organizations: organization trails are not supported.")
	}
	if err := checkOptionalLogs(deref(in.CloudWatchLogsLogGroupArn), deref(in.CloudWatchLogsRoleArn)); err != nil {
		return nil, err
	}
	if err := checkPrefix(deref(in.S3KeyPrefix)); err != nil {
		return nil, err
	}
	if err := checkTags(ctx, in.TagsList); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.trails[name]; ok {
		return nil, ErrTrailAlreadyExists.Withf("Trail %s already exists for customer: %s", name, s.account)
	}
	if len(s.trails) >= maxTrailsPerRegion {
		return nil, ErrMaximumNumberOfTrails.Withf("User: %s already has %d trails in %s.", s.account, maxTrailsPerRegion, s.region)
	}
	if err := s.checkBucket(*in.S3BucketName); err != nil {
		return nil, err
	}
	t := &trailRecord{
		Name:                      name,
		S3BucketName:              *in.S3BucketName,
		S3KeyPrefix:               deref(in.S3KeyPrefix),
		SnsTopicName:              deref(in.SnsTopicName),
		IncludeGlobalServiceEvent: in.IncludeGlobalServiceEvents == nil || *in.IncludeGlobalServiceEvents,
		IsMultiRegionTrail:        deref(in.IsMultiRegionTrail),
		LogFileValidation:         deref(in.EnableLogFileValidation),
		CloudWatchLogsLogGroupArn: deref(in.CloudWatchLogsLogGroupArn),
		CloudWatchLogsRoleArn:     deref(in.CloudWatchLogsRoleArn),
		KmsKeyId:                  deref(in.KmsKeyId),
		HomeRegion:                s.region,
		Created:                   s.clock.Now(),
	}
	if t.IsMultiRegionTrail && !t.IncludeGlobalServiceEvent {
		return nil, ErrInvalidParameterCombination.WithMessage("Multi-Region trail must include global service events.")
	}
	for _, tag := range in.TagsList {
		t.Tags = setTag(t.Tags, *tag.Key, deref(tag.Value))
	}
	if err := s.save(t); err != nil {
		return nil, err
	}
	s.trails[name] = t
	s.publish()
	out := s.trailOut(t)
	return &CreateTrailResponse{Name: out.Name, S3BucketName: out.S3BucketName, S3KeyPrefix: out.S3KeyPrefix,
		SnsTopicName: out.SnsTopicName, SnsTopicARN: out.SnsTopicARN, IncludeGlobalServiceEvents: out.IncludeGlobalServiceEvents,
		IsMultiRegionTrail: out.IsMultiRegionTrail, TrailARN: out.TrailARN, LogFileValidationEnabled: out.LogFileValidationEnabled,
		CloudWatchLogsLogGroupArn: out.CloudWatchLogsLogGroupArn, CloudWatchLogsRoleArn: out.CloudWatchLogsRoleArn,
		KmsKeyId: out.KmsKeyId, IsOrganizationTrail: out.IsOrganizationTrail}, nil
}

// checkOptionalLogs checks a trail's CloudWatch Logs delivery: both the
// log group and the role, or neither.
func checkOptionalLogs(group, role string) error {
	if (group == "") != (role == "") {
		return ErrInvalidCloudWatchLogsGroup.WithMessage("You must specify a log group and a role ARN.")
	}
	if group != "" && !strings.HasPrefix(group, "arn:") {
		return ErrInvalidCloudWatchLogsGroup.WithMessage("CloudWatch Logs log group ARN is invalid.")
	}
	return nil
}

// checkPrefix checks an S3KeyPrefix: at most 200 characters.
func checkPrefix(p string) error {
	if len(p) > 200 {
		return ErrInvalidS3Prefix.WithMessage("The S3 key prefix must be no more than 200 characters.")
	}
	return nil
}

func (s *Service) getTrail(ctx context.Context, in *GetTrailRequest) (*GetTrailResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(*in.Name)
	if err != nil {
		return nil, err
	}
	out := s.trailOut(t)
	return &GetTrailResponse{Trail: &out}, nil
}

func (s *Service) describeTrails(ctx context.Context, in *DescribeTrailsRequest) (*DescribeTrailsResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &DescribeTrailsResponse{TrailList: []Trail{}}
	if len(in.TrailNameList) == 0 {
		for _, t := range s.sortedTrails() {
			out.TrailList = append(out.TrailList, s.trailOut(t))
		}
		return out, nil
	}
	// Names that match no trail are left out, as CloudTrail does.
	for _, ref := range in.TrailNameList {
		if t, err := s.lookup(ref); err == nil {
			out.TrailList = append(out.TrailList, s.trailOut(t))
		}
	}
	return out, nil
}

func (s *Service) listTrails(ctx context.Context, in *ListTrailsRequest) (*ListTrailsResponse, error) {
	if in.NextToken != nil && *in.NextToken != "" {
		return nil, ErrInvalidNextToken.WithMessage("Invalid NextToken.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &ListTrailsResponse{Trails: []TrailInfo{}}
	for _, t := range s.sortedTrails() {
		out.Trails = append(out.Trails, TrailInfo{TrailARN: ptr(s.trailARN(t.Name)), Name: ptr(t.Name), HomeRegion: ptr(t.HomeRegion)})
	}
	return out, nil
}

func (s *Service) updateTrail(ctx context.Context, in *UpdateTrailRequest) (*UpdateTrailResponse, error) {
	if deref(in.IsOrganizationTrail) {
		return nil, ErrOperationNotPermitted.WithMessage("virga has no AWS Organizations: organization trails are not supported.")
	}
	if err := checkPrefix(deref(in.S3KeyPrefix)); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.lookup(*in.Name)
	if err != nil {
		return nil, err
	}
	t := *cur
	if in.S3BucketName != nil {
		if err := s.checkBucket(*in.S3BucketName); err != nil {
			return nil, err
		}
		t.S3BucketName = *in.S3BucketName
	}
	if in.S3KeyPrefix != nil {
		t.S3KeyPrefix = *in.S3KeyPrefix
	}
	if in.SnsTopicName != nil {
		t.SnsTopicName = *in.SnsTopicName
	}
	if in.IncludeGlobalServiceEvents != nil {
		t.IncludeGlobalServiceEvent = *in.IncludeGlobalServiceEvents
	}
	if in.IsMultiRegionTrail != nil {
		t.IsMultiRegionTrail = *in.IsMultiRegionTrail
	}
	if in.EnableLogFileValidation != nil {
		t.LogFileValidation = *in.EnableLogFileValidation
	}
	if in.CloudWatchLogsLogGroupArn != nil || in.CloudWatchLogsRoleArn != nil {
		if err := checkOptionalLogs(deref(in.CloudWatchLogsLogGroupArn), deref(in.CloudWatchLogsRoleArn)); err != nil {
			return nil, err
		}
		t.CloudWatchLogsLogGroupArn, t.CloudWatchLogsRoleArn = deref(in.CloudWatchLogsLogGroupArn), deref(in.CloudWatchLogsRoleArn)
	}
	if in.KmsKeyId != nil {
		t.KmsKeyId = *in.KmsKeyId
	}
	if t.IsMultiRegionTrail && !t.IncludeGlobalServiceEvent {
		return nil, ErrInvalidParameterCombination.WithMessage("Multi-Region trail must include global service events.")
	}
	if err := s.save(&t); err != nil {
		return nil, err
	}
	s.trails[t.Name] = &t
	s.publish()
	out := s.trailOut(&t)
	return &UpdateTrailResponse{Name: out.Name, S3BucketName: out.S3BucketName, S3KeyPrefix: out.S3KeyPrefix,
		SnsTopicName: out.SnsTopicName, SnsTopicARN: out.SnsTopicARN, IncludeGlobalServiceEvents: out.IncludeGlobalServiceEvents,
		IsMultiRegionTrail: out.IsMultiRegionTrail, TrailARN: out.TrailARN, LogFileValidationEnabled: out.LogFileValidationEnabled,
		CloudWatchLogsLogGroupArn: out.CloudWatchLogsLogGroupArn, CloudWatchLogsRoleArn: out.CloudWatchLogsRoleArn,
		KmsKeyId: out.KmsKeyId, IsOrganizationTrail: out.IsOrganizationTrail}, nil
}

func (s *Service) deleteTrail(ctx context.Context, in *DeleteTrailRequest) (*DeleteTrailResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(*in.Name)
	if err != nil {
		return nil, err
	}
	if err := s.deleteTrailRecord(t.Name); err != nil {
		return nil, err
	}
	delete(s.trails, t.Name)
	s.publish()
	return &DeleteTrailResponse{}, nil
}

// setLogging starts or stops a trail's logging.
func (s *Service) setLogging(ref string, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.lookup(ref)
	if err != nil {
		return err
	}
	t := *cur
	if t.Logging != on {
		t.Logging = on
		if on {
			t.StartLogging = s.clock.Now()
		} else {
			t.StopLogging = s.clock.Now()
		}
	}
	if err := s.save(&t); err != nil {
		return err
	}
	s.trails[t.Name] = &t
	s.publish()
	return nil
}

func (s *Service) startLogging(ctx context.Context, in *StartLoggingRequest) (*StartLoggingResponse, error) {
	return &StartLoggingResponse{}, s.setLogging(*in.Name, true)
}

func (s *Service) stopLogging(ctx context.Context, in *StopLoggingRequest) (*StopLoggingResponse, error) {
	return &StopLoggingResponse{}, s.setLogging(*in.Name, false)
}

func (s *Service) getTrailStatus(ctx context.Context, in *GetTrailStatusRequest) (*GetTrailStatusResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(*in.Name)
	if err != nil {
		return nil, err
	}
	out := &GetTrailStatusResponse{IsLogging: ptr(t.Logging),
		LatestDeliveryAttemptTime: ptr(""), LatestNotificationAttemptTime: ptr(""),
		LatestNotificationAttemptSucceeded: ptr(""), LatestDeliveryAttemptSucceeded: ptr(""),
		TimeLoggingStarted: ptr(""), TimeLoggingStopped: ptr("")}
	if !t.StartLogging.IsZero() {
		out.StartLoggingTime = ptr(t.StartLogging)
		out.TimeLoggingStarted = ptr(t.StartLogging.UTC().Format(statusTimeLayout))
	}
	if !t.StopLogging.IsZero() {
		out.StopLoggingTime = ptr(t.StopLogging)
		out.TimeLoggingStopped = ptr(t.StopLogging.UTC().Format(statusTimeLayout))
	}
	if d := t.Delivery; !d.Attempt.IsZero() {
		out.LatestDeliveryAttemptTime = ptr(d.Attempt.UTC().Format(statusTimeLayout))
		if !d.OK.IsZero() {
			out.LatestDeliveryTime = ptr(d.OK)
			out.LatestDeliveryAttemptSucceeded = ptr(d.OK.UTC().Format(statusTimeLayout))
		}
		if d.Error != "" {
			out.LatestDeliveryError = ptr(d.Error)
		}
	}
	return out, nil
}

// statusTimeLayout is how GetTrailStatus words times in its string
// members (TimeLoggingStarted: "2024-01-31T18:09:30Z").
const statusTimeLayout = "2006-01-02T15:04:05Z"
