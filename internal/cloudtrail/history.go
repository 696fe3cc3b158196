package cloudtrail

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/store/keys"
)

// The event history keeps management events for historyRetention, as
// CloudTrail's Event history does ("the past 90 days"), and at most
// maxHistory of them (virga's own bound; the oldest go first).
const (
	historyRetention = 90 * 24 * time.Hour
	maxHistory       = 100_000
)

// historyEntry is a management event as the history keeps it: the
// attributes LookupEvents filters on, and the record.
type historyEntry struct {
	EventID     string
	EventName   string
	EventSource string
	Username    string
	AccessKeyID string `json:",omitempty"`
	ReadOnly    bool
	Time        time.Time
	Resources   []lookupResource `json:",omitempty"`
	Record      json.RawMessage
}

type lookupResource struct{ Type, Name, ARN string }

func historyPrefix(account string) []byte { return rootKey("h", account) }

func historyKey(account string, t time.Time, id string) []byte {
	k := keys.AppendInt(historyPrefix(account), t.UnixNano())
	return keys.AppendString(k, id)
}

// countHistory counts the events the history holds.
func (s *Service) countHistory() error {
	p := historyPrefix(s.account)
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return err
	}
	defer it.Close()
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		n++
	}
	s.historyCount = n
	return it.Error()
}

// pruneEvery is how often Run drops events past the history's
// retention.
const pruneEvery = time.Hour

// Run writes the calls Record captures until ctx ends, then writes
// what is still queued.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(pruneEvery)
	defer t.Stop()
	// Log files are due by the service's clock; tick checks it.
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			s.flush()
			s.writeMu.Lock()
			s.deliverLocked(true)
			s.writeMu.Unlock()
			return
		case cp := <-s.queue:
			s.writeMu.Lock()
			s.writeLocked(append([]*capture{cp}, s.drainLocked()...))
			s.writeMu.Unlock()
		case <-t.C:
			s.writeMu.Lock()
			if err := s.pruneLocked(); err != nil && log != nil {
				log.Warn("cloudtrail: pruning the event history", "err", err)
			}
			s.writeMu.Unlock()
		case <-tick.C:
			s.writeMu.Lock()
			s.deliverLocked(false)
			s.writeMu.Unlock()
		}
	}
}

// flush writes every call queued so far.
func (s *Service) flush() {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.writeLocked(s.drainLocked())
}

// drainLocked takes what the queue holds now. writeMu must be held.
func (s *Service) drainLocked() []*capture {
	var out []*capture
	for {
		select {
		case cp := <-s.queue:
			out = append(out, cp)
		default:
			return out
		}
	}
}

// writeLocked turns captures into records: management events into the
// history, and events the logging trails take on to EventBridge.
// writeMu must be held.
func (s *Service) writeLocked(batch []*capture) {
	if len(batch) == 0 {
		return
	}
	b := s.store.NewBatch()
	defer b.Close()
	added := 0
	for _, cp := range batch {
		rec, entry, f := s.build(cp)
		raw, err := json.Marshal(rec)
		if err != nil {
			continue
		}
		if entry != nil {
			entry.Record = raw
			if v, err := json.Marshal(entry); err == nil {
				b.Set(historyKey(s.account, entry.Time, entry.EventID), v)
				added++
			}
		}
		s.sendLocked(cp, f, raw)
	}
	if added == 0 {
		return
	}
	if err := b.CommitNoWait(); err != nil {
		s.log.Warn("cloudtrail: writing the event history", "err", err)
		return
	}
	s.historyCount += added
	if s.historyCount > maxHistory {
		if err := s.pruneLocked(); err != nil {
			s.log.Warn("cloudtrail: pruning the event history", "err", err)
		}
	}
}

// sendLocked keeps an event each logging trail takes for the trail's
// next log file, and puts it on the default EventBridge bus unless it
// is a read-only data event. Rules match read-only management events
// only in the ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS state; in
// the ENABLED state, the events of calls that change something. The
// trails are those logging when the call was answered (cp.active).
func (s *Service) sendLocked(cp *capture, f *facts, raw []byte) {
	if cp.active == nil || len(cp.active.trails) == 0 {
		return
	}
	taken := false
	for _, t := range cp.active.trails {
		if t.takes(f) {
			taken = true
			s.queueForDelivery(t.Name, raw)
		}
	}
	// Read-only data events never go; read-only management events go
	// for the rules in the ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
	// state, which EventBridge tells apart by the detail's readOnly.
	if !taken || s.events == nil || (f.readOnly && !f.management) {
		return
	}
	bus := "arn:aws:events:" + s.region + ":" + s.account + ":event-bus/default"
	err := s.events.Deliver(context.Background(), bus, deliver.Message{Body: raw,
		Source: eventBridgeSource(cp.service.Name), DetailType: "AWS API Call via CloudTrail"})
	if err != nil {
		s.log.Warn("cloudtrail: sending an event to EventBridge", "err", err)
	}
}

// build makes the record of a capture, its history entry (nil for a
// data event) and the facts selectors look at.
func (s *Service) build(cp *capture) (*record, *historyEntry, *facts) {
	svc := cp.service.Name
	id, username := identity(cp.caller)
	ro := readOnlyOp(cp.op)
	source := eventSourceName(svc) + ".amazonaws.com"
	rec := &record{
		EventVersion: eventVersion, UserIdentity: id, EventTime: cp.time.UTC().Format(time.RFC3339),
		EventSource: source, EventName: cp.op, AwsRegion: cp.region, SourceIPAddress: cp.sourceIP,
		UserAgent: cp.userAgent, ErrorCode: cp.errorCode, RequestID: cp.requestID, EventID: s.ids.UUID(),
		ReadOnly: ro, EventType: "AwsApiCall", ManagementEvent: cp.dataType == "", RecipientAccountID: s.account,
		EventCategory: "Management",
	}
	if cp.errorCode != "" {
		rec.ErrorMessage = cp.errorMsg
	}
	isS3 := svc == "s3"
	rec.RequestParameters = parameters(cp.input, isS3)
	if isS3 && rec.RequestParameters != nil {
		rec.RequestParameters["Host"] = cp.host
	}
	if !ro && cp.errorCode == "" {
		rec.ResponseElements = parameters(cp.output, false)
	}
	f := &facts{management: cp.dataType == "", readOnly: ro, name: cp.op, source: source}
	arns := s.resourceARNs(cp)
	if cp.dataType != "" {
		rec.EventCategory = "Data"
		f.resourceType = cp.dataType
		if isS3 {
			bucket := awsproto.InputString(cp.input, "Bucket")
			f.resourceARN = "arn:aws:s3:::" + bucket + "/" + awsproto.InputString(cp.input, "Key")
			rec.Resources = []recordResource{{ARN: f.resourceARN, Type: typeS3Object},
				{ARN: "arn:aws:s3:::" + bucket, AccountID: s.account, Type: "AWS::S3::Bucket"}}
		} else if len(arns) > 0 {
			f.resourceARN = arns[0]
			rec.Resources = []recordResource{{ARN: arns[0], AccountID: s.account, Type: cp.dataType}}
		}
		return rec, nil, f
	}
	entry := &historyEntry{EventID: rec.EventID, EventName: cp.op, EventSource: source, Username: username,
		AccessKeyID: cp.caller.AccessKeyID, ReadOnly: ro, Time: cp.time}
	for _, arn := range arns {
		if r, ok := resourceOf(arn); ok {
			entry.Resources = append(entry.Resources, r)
		}
	}
	return rec, entry, f
}

// resourceARNs are the ARNs the call acted on, as the service names
// them for IAM.
func (s *Service) resourceARNs(cp *capture) (arns []string) {
	if cp.service.Resources == nil || cp.input == nil {
		return nil
	}
	defer func() {
		if recover() != nil {
			arns = nil
		}
	}()
	c := &awsproto.Call{Service: cp.service, Region: cp.region, Caller: cp.caller, RequestID: cp.requestID}
	return cp.service.Resources(c, cp.input)
}

// resourceTypes name the CloudFormation resource type of an ARN by its
// service and resource kind.
var resourceTypes = map[string]string{
	"s3/":                               "AWS::S3::Bucket",
	"dynamodb/table":                    "AWS::DynamoDB::Table",
	"lambda/function":                   "AWS::Lambda::Function",
	"sqs/":                              "AWS::SQS::Queue",
	"sns/":                              "AWS::SNS::Topic",
	"iam/role":                          "AWS::IAM::Role",
	"iam/user":                          "AWS::IAM::User",
	"iam/policy":                        "AWS::IAM::Policy",
	"events/rule":                       "AWS::Events::Rule",
	"events/event-bus":                  "AWS::Events::EventBus",
	"logs/log-group":                    "AWS::Logs::LogGroup",
	"kinesis/stream":                    "AWS::Kinesis::Stream",
	"cloudtrail/trail":                  "AWS::CloudTrail::Trail",
	"states/stateMachine":               "AWS::StepFunctions::StateMachine",
	"secretsmanager/secret":             "AWS::SecretsManager::Secret",
	"ssm/parameter":                     "AWS::SSM::Parameter",
	"kms/key":                           "AWS::KMS::Key",
	"ecr/repository":                    "AWS::ECR::Repository",
	"ecs/cluster":                       "AWS::ECS::Cluster",
	"scheduler/schedule":                "AWS::Scheduler::Schedule",
	"apigateway/":                       "AWS::ApiGateway::RestApi",
	"cloudformation/stack":              "AWS::CloudFormation::Stack",
	"elasticloadbalancing/loadbalancer": "AWS::ElasticLoadBalancingV2::LoadBalancer",
}

// resourceOf names an ARN's resource as LookupEvents reports it: its
// type and its name (the part after the resource kind).
func resourceOf(arn string) (lookupResource, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[5] == "" || parts[5] == "*" {
		return lookupResource{}, false
	}
	service, res := parts[2], parts[5]
	kind, name := "", res
	if i := strings.IndexAny(res, "/:"); i >= 0 {
		kind, name = res[:i], res[i+1:]
	}
	typ, ok := resourceTypes[service+"/"+kind]
	if !ok {
		if typ, ok = resourceTypes[service+"/"]; !ok {
			return lookupResource{}, false
		}
		name = res
	}
	if service == "cloudtrail" || service == "sns" {
		name = arn // CloudTrail names trails and topics by ARN.
	}
	return lookupResource{Type: typ, Name: name, ARN: arn}, true
}

// pruneLocked drops events past the retention, and the oldest beyond
// maxHistory. writeMu must be held.
func (s *Service) pruneLocked() error {
	p := historyPrefix(s.account)
	cut := keys.AppendInt(historyPrefix(s.account), s.clock.Now().Add(-historyRetention).UnixNano())
	b := s.store.NewBatch()
	defer b.Close()
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return err
	}
	dropped := 0
	for ok := it.First(); ok; ok = it.Next() {
		if bytes.Compare(it.Key(), cut) >= 0 && s.historyCount-dropped <= maxHistory {
			break
		}
		b.Delete(append([]byte(nil), it.Key()...))
		dropped++
	}
	err = it.Error()
	it.Close()
	if err != nil || dropped == 0 {
		return err
	}
	if err := b.Commit(); err != nil {
		return err
	}
	s.historyCount -= dropped
	return nil
}

// defaultLookupResults is LookupEvents' page size when MaxResults is
// not given: "The default number of results returned is 50".
const defaultLookupResults = 50

func (s *Service) lookupEvents(ctx context.Context, in *LookupEventsRequest) (*LookupEventsResponse, error) {
	if len(in.LookupAttributes) > 1 {
		return nil, ErrInvalidLookupAttributes.WithMessage("You can only specify one lookup attribute.")
	}
	if in.StartTime != nil && in.EndTime != nil && in.StartTime.After(*in.EndTime) {
		return nil, ErrInvalidTimeRange.WithMessage("Start time must be before end time.")
	}
	out := &LookupEventsResponse{Events: []Event{}}
	if in.EventCategory != nil {
		// virga has no Insights: there are no insight events.
		return out, nil
	}
	var match func(*historyEntry) bool
	if len(in.LookupAttributes) == 1 {
		a := in.LookupAttributes[0]
		v := *a.AttributeValue
		switch *a.AttributeKey {
		case "EventId":
			match = func(e *historyEntry) bool { return e.EventID == v }
		case "EventName":
			match = func(e *historyEntry) bool { return e.EventName == v }
		case "EventSource":
			match = func(e *historyEntry) bool { return e.EventSource == v }
		case "Username":
			match = func(e *historyEntry) bool { return e.Username == v }
		case "AccessKeyId":
			match = func(e *historyEntry) bool { return e.AccessKeyID == v }
		case "ReadOnly":
			if v != "true" && v != "false" {
				return nil, ErrInvalidLookupAttributes.WithMessage("ReadOnly must be true or false.")
			}
			match = func(e *historyEntry) bool { return e.ReadOnly == (v == "true") }
		case "ResourceType":
			match = func(e *historyEntry) bool {
				for _, r := range e.Resources {
					if r.Type == v {
						return true
					}
				}
				return false
			}
		case "ResourceName":
			match = func(e *historyEntry) bool {
				for _, r := range e.Resources {
					if r.Name == v || r.ARN == v {
						return true
					}
				}
				return false
			}
		}
	}
	limit := int(deref(in.MaxResults))
	if limit == 0 {
		limit = defaultLookupResults
	}
	// What is queued is written first, so that a call answered before
	// this one is found.
	s.flush()

	now := s.clock.Now()
	start := now.Add(-historyRetention)
	if in.StartTime != nil && in.StartTime.After(start) {
		start = *in.StartTime
	}
	p := historyPrefix(s.account)
	lower := keys.AppendInt(historyPrefix(s.account), start.UnixNano())
	upper := keys.PrefixEnd(p)
	if in.EndTime != nil {
		upper = keys.AppendInt(historyPrefix(s.account), in.EndTime.UnixNano()+1)
	}
	if tok := deref(in.NextToken); tok != "" {
		k, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || !bytes.HasPrefix(k, p) {
			return nil, ErrInvalidNextToken.WithMessage("Invalid NextToken.")
		}
		if bytes.Compare(k, upper) < 0 {
			upper = k
		}
	}
	it, err := s.store.NewIter(lower, upper)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	for ok := it.Last(); ok; ok = it.Prev() {
		var e historyEntry
		if json.Unmarshal(it.Value(), &e) != nil {
			continue
		}
		if match != nil && !match(&e) {
			continue
		}
		if len(out.Events) == limit {
			// The token is the next event's key: the next page starts
			// at it (upper bounds are exclusive, so one past it).
			out.NextToken = ptr(base64.RawURLEncoding.EncodeToString(append(append([]byte(nil), it.Key()...), 0)))
			break
		}
		ev := Event{EventId: ptr(e.EventID), EventName: ptr(e.EventName), ReadOnly: ptr(boolString(e.ReadOnly)),
			EventTime: ptr(e.Time), EventSource: ptr(e.EventSource), Username: ptr(e.Username),
			Resources: []Resource{}, CloudTrailEvent: ptr(string(e.Record))}
		if e.AccessKeyID != "" {
			ev.AccessKeyId = ptr(e.AccessKeyID)
		}
		for _, r := range e.Resources {
			ev.Resources = append(ev.Resources, Resource{ResourceType: ptr(r.Type), ResourceName: ptr(r.Name)})
		}
		out.Events = append(out.Events, ev)
	}
	return out, it.Error()
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
