package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/eventsource"
)

// Asynchronous invocations end somewhere: a function's event invoke
// configuration (per version or alias) bounds their retries and age and
// names destinations for records of successes and failures; without an
// OnFailure destination, a failed event goes to the function's
// dead-letter queue (DeadLetterConfig), as Lambda does.

// Destinations delivers invocation records and dead letters to the SQS
// queue, SNS topic, Lambda function or EventBridge event bus an ARN
// names. The app wires it to those services; nil drops them.
type Destinations = deliver.Deliverer

// Conditions of invocation records.
const (
	conditionSuccess          = "Success"
	conditionRetriesExhausted = "RetriesExhausted"
	conditionEventAgeExceeded = "EventAgeExceeded"
)

func eventInvokeConfigKey(name, qualifier string) []byte {
	return lambdaKey("fn", name, "eic", qualifier)
}

// eicQualifier is the qualifier an event invoke configuration is kept
// under: the unqualified function's is $LATEST's, as Lambda reports it.
func eicQualifier(q string) string {
	if q == "" {
		return latest
	}
	return q
}

// checkDestination accepts the ARN of a queue, topic, function or bus,
// one of the destinations of d, which Lambda's refusal prints whole; an
// S3 bucket takes only the records of failures (onFailure).
func (s *Service) checkDestination(arn *string, d *DestinationConfig, onFailure bool) error {
	if arn == nil || *arn == "" {
		return nil
	}
	parts := strings.SplitN(*arn, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" {
		switch parts[2] {
		case "sqs", "sns", "lambda":
			return nil
		case "events":
			if strings.HasPrefix(parts[5], "event-bus/") {
				return nil
			}
		case "s3":
			if _, ok := deliver.Bucket(*arn); ok && onFailure {
				return nil
			}
		}
	}
	return invalidParameter("The provided destination config %s is invalid.", destinationConfigText(d))
}

// destinationConfigText is d as Lambda prints it in errors:
// "DestinationConfig(onSuccess=null, onFailure=OnFailure(destination=ARN))".
func destinationConfigText(d *DestinationConfig) string {
	arn := func(v *string) string {
		if v == nil {
			return "null"
		}
		return *v
	}
	onSuccess, onFailure := "null", "null"
	if d.OnSuccess != nil {
		onSuccess = "OnSuccess(destination=" + arn(d.OnSuccess.Destination) + ")"
	}
	if d.OnFailure != nil {
		onFailure = "OnFailure(destination=" + arn(d.OnFailure.Destination) + ")"
	}
	return "DestinationConfig(onSuccess=" + onSuccess + ", onFailure=" + onFailure + ")"
}

// errNoSuchFunction is what PutFunctionEventInvokeConfig,
// UpdateFunctionEventInvokeConfig and ListFunctionEventInvokeConfigs
// answer for a function, version or alias that does not exist.
var errNoSuchFunction = ErrResourceNotFound.WithMessage("The function doesn't exist.")

// noEventInvokeConfig is Get's and Delete's answer for a configuration
// that does not exist, whether or not its function does.
func (s *Service) noEventInvokeConfig(name, q string) error {
	return ErrResourceNotFound.Withf("The function %s doesn't have an EventInvokeConfig", s.qualifiedARN(name, eicQualifier(q)))
}

// eventInvokeTarget resolves FunctionName and Qualifier for the event
// invoke configuration operations; the caller holds s.mu. writing is set
// for Put and Update, which word a missing function differently from Get
// and Delete.
func (s *Service) eventInvokeTarget(name string, qualifier *string, writing bool) (*function, string, error) {
	t, err := s.parseTarget(name, qualifier)
	if err != nil {
		return nil, "", err
	}
	fn := s.functions[t.Name]
	if fn != nil && t.Qualifier != "" {
		if _, err := s.resolveInvocation(fn, t); err != nil {
			fn = nil
		}
	}
	if fn == nil {
		if writing {
			return nil, "", errNoSuchFunction
		}
		return nil, "", s.noEventInvokeConfig(t.Name, t.Qualifier)
	}
	return fn, eicQualifier(t.Qualifier), nil
}

func (s *Service) putFunctionEventInvokeConfig(ctx context.Context, in *PutFunctionEventInvokeConfigRequest) (*FunctionEventInvokeConfig, error) {
	if in.MaximumRetryAttempts == nil && in.MaximumEventAgeInSeconds == nil && in.DestinationConfig == nil {
		return nil, errNothingToConfigure
	}
	if err := s.checkDestinationsRole(ctx, *in.FunctionName, in.Qualifier, in.DestinationConfig); err != nil {
		return nil, err
	}
	return s.writeEventInvokeConfig(*in.FunctionName, in.Qualifier, func(*FunctionEventInvokeConfig) FunctionEventInvokeConfig {
		return FunctionEventInvokeConfig{MaximumRetryAttempts: in.MaximumRetryAttempts, MaximumEventAgeInSeconds: in.MaximumEventAgeInSeconds,
			DestinationConfig: in.DestinationConfig}
	}, false)
}

func (s *Service) updateFunctionEventInvokeConfig(ctx context.Context, in *UpdateFunctionEventInvokeConfigRequest) (*FunctionEventInvokeConfig, error) {
	if in.MaximumRetryAttempts == nil && in.MaximumEventAgeInSeconds == nil && in.DestinationConfig == nil {
		return nil, errNothingToConfigure
	}
	if err := s.checkDestinationsRole(ctx, *in.FunctionName, in.Qualifier, in.DestinationConfig); err != nil {
		return nil, err
	}
	return s.writeEventInvokeConfig(*in.FunctionName, in.Qualifier, func(old *FunctionEventInvokeConfig) FunctionEventInvokeConfig {
		c := FunctionEventInvokeConfig{}
		if old != nil {
			c = *old
		}
		if in.MaximumRetryAttempts != nil {
			c.MaximumRetryAttempts = in.MaximumRetryAttempts
		}
		if in.MaximumEventAgeInSeconds != nil {
			c.MaximumEventAgeInSeconds = in.MaximumEventAgeInSeconds
		}
		if in.DestinationConfig != nil {
			d := DestinationConfig{}
			if c.DestinationConfig != nil {
				d = *c.DestinationConfig
			}
			if in.DestinationConfig.OnSuccess != nil {
				d.OnSuccess = in.DestinationConfig.OnSuccess
			}
			if in.DestinationConfig.OnFailure != nil {
				d.OnFailure = in.DestinationConfig.OnFailure
			}
			c.DestinationConfig = &d
		}
		return c
	}, true)
}

// checkInvokeDestination is checkDestination for an event invoke
// configuration of the function self: a function destination must exist
// and be another function. The caller holds s.mu.
func (s *Service) checkInvokeDestination(arn *string, d *DestinationConfig, self string, onFailure bool) error {
	if err := s.checkDestination(arn, d, onFailure); err != nil || arn == nil || !strings.HasPrefix(*arn, "arn:aws:lambda:") {
		return err
	}
	t, err := s.parseTarget(*arn, nil)
	if err != nil || s.functions[t.Name] == nil {
		return invalidParameter("The destination ARN %s is invalid.", *arn)
	}
	if t.Name == self {
		return invalidParameter("You can't specify the function as a destination for itself.")
	}
	return nil
}

// errNothingToConfigure is Put's and Update's answer to a request that
// sets nothing.
var errNothingToConfigure = invalidParameter("You must specify at least one of error handling or destination setting.")

// writeEventInvokeConfig stores the configuration build makes from the
// current one; update requires that one exists.
func (s *Service) writeEventInvokeConfig(name string, qualifier *string, build func(*FunctionEventInvokeConfig) FunctionEventInvokeConfig, update bool) (*FunctionEventInvokeConfig, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, q, err := s.eventInvokeTarget(name, qualifier, true)
	if err != nil {
		return nil, err
	}
	old := fn.EventInvokeConfigs[q]
	if update && old == nil {
		return nil, ErrResourceNotFound.Withf("The function %s doesn't have an EventInvokeConfig", s.qualifiedARN(fn.Name, q))
	}
	c := build(old)
	if c.DestinationConfig != nil {
		if c.DestinationConfig.OnSuccess != nil {
			if err := s.checkInvokeDestination(c.DestinationConfig.OnSuccess.Destination, c.DestinationConfig, fn.Name, false); err != nil {
				return nil, err
			}
		}
		if c.DestinationConfig.OnFailure != nil {
			if err := s.checkInvokeDestination(c.DestinationConfig.OnFailure.Destination, c.DestinationConfig, fn.Name, true); err != nil {
				return nil, err
			}
		}
	} else {
		c.DestinationConfig = &DestinationConfig{}
	}
	if c.DestinationConfig.OnSuccess == nil {
		c.DestinationConfig.OnSuccess = &OnSuccess{}
	}
	if c.DestinationConfig.OnFailure == nil {
		c.DestinationConfig.OnFailure = &OnFailure{}
	}
	now := s.clock.Now()
	c.LastModified = &now
	c.FunctionArn = ptr(s.qualifiedARN(fn.Name, q))
	fn = fn.clone()
	if fn.EventInvokeConfigs == nil {
		fn.EventInvokeConfigs = map[string]*FunctionEventInvokeConfig{}
	}
	fn.EventInvokeConfigs[q] = &c
	w := s.newWrites()
	w.put(eventInvokeConfigKey(fn.Name, q), &c)
	if err := s.commitFunction(w, fn); err != nil {
		return nil, err
	}
	return &c, nil
}

func (s *Service) getFunctionEventInvokeConfig(ctx context.Context, in *GetFunctionEventInvokeConfigRequest) (*FunctionEventInvokeConfig, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn, q, err := s.eventInvokeTarget(*in.FunctionName, in.Qualifier, false)
	if err != nil {
		return nil, err
	}
	c := fn.EventInvokeConfigs[q]
	if c == nil {
		return nil, ErrResourceNotFound.Withf("The function %s doesn't have an EventInvokeConfig", s.qualifiedARN(fn.Name, q))
	}
	return c, nil
}

func (s *Service) deleteFunctionEventInvokeConfig(ctx context.Context, in *DeleteFunctionEventInvokeConfigRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, q, err := s.eventInvokeTarget(*in.FunctionName, in.Qualifier, false)
	if err != nil {
		return nil, err
	}
	if fn.EventInvokeConfigs[q] == nil {
		return nil, ErrResourceNotFound.Withf("The function %s doesn't have an EventInvokeConfig", s.qualifiedARN(fn.Name, q))
	}
	fn = fn.clone()
	delete(fn.EventInvokeConfigs, q)
	w := s.newWrites()
	w.del(eventInvokeConfigKey(fn.Name, q))
	return nil, s.commitFunction(w, fn)
}

func (s *Service) listFunctionEventInvokeConfigs(ctx context.Context, in *ListFunctionEventInvokeConfigsRequest) (*ListFunctionEventInvokeConfigsResponse, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, err := s.parseTarget(*in.FunctionName, nil)
	if err != nil {
		return nil, err
	}
	fn := s.functions[t.Name]
	if fn == nil {
		return nil, errNoSuchFunction
	}
	qs := sortedKeys(fn.EventInvokeConfigs)
	page, next, err := paginate(qs, func(q string) string { return q }, in.Marker, in.MaxItems, 50)
	if err != nil {
		return nil, err
	}
	out := &ListFunctionEventInvokeConfigsResponse{FunctionEventInvokeConfigs: []FunctionEventInvokeConfig{}, NextMarker: next}
	for _, q := range page {
		out.FunctionEventInvokeConfigs = append(out.FunctionEventInvokeConfigs, *fn.EventInvokeConfigs[q])
	}
	return out, nil
}

// asyncPolicy is what governs one asynchronous invocation's retries and
// where its outcome goes.
type asyncPolicy struct {
	attempts  int
	maxAge    time.Duration
	onSuccess string
	onFailure string
	dlq       string
	// role is the execution role of the version invoked, which Lambda
	// sends destinations and dead letters with.
	role string
}

// asyncPolicyFor reads the policy of an invocation of fn's version v
// through qualifier q (an alias, a version or "").
func asyncPolicyFor(fn *function, v *version, q string) asyncPolicy {
	p := asyncPolicy{attempts: asyncAttempts, role: deref(v.Config.Role)}
	if v.Config.DeadLetterConfig != nil {
		p.dlq = deref(v.Config.DeadLetterConfig.TargetArn)
	}
	p.maxAge = maxEventAge(fn, q)
	c := fn.EventInvokeConfigs[eicQualifier(q)]
	if c == nil {
		return p
	}
	if c.MaximumRetryAttempts != nil {
		p.attempts = int(*c.MaximumRetryAttempts) + 1
	}
	if d := c.DestinationConfig; d != nil {
		if d.OnSuccess != nil {
			p.onSuccess = deref(d.OnSuccess.Destination)
		}
		if d.OnFailure != nil {
			p.onFailure = deref(d.OnFailure.Destination)
		}
	}
	return p
}

// maxEventAge is how long an asynchronous invocation of fn's qualifier q
// may wait in the queue: its event invoke config's
// MaximumEventAgeInSeconds, or 6 hours.
func maxEventAge(fn *function, q string) time.Duration {
	if c := fn.EventInvokeConfigs[eicQualifier(q)]; c != nil && c.MaximumEventAgeInSeconds != nil {
		return time.Duration(*c.MaximumEventAgeInSeconds) * time.Second
	}
	return asyncMaxAge
}

// outcome is how an asynchronous invocation ended, for its record.
type outcome struct {
	condition       string
	attempts        int
	statusCode      int
	executedVersion string
	functionError   string
	response        []byte
}

// The records Lambda sends to destinations, members in the order AWS
// writes them.
type (
	invocationRecord struct {
		Version         string                 `json:"version"`
		Timestamp       string                 `json:"timestamp"`
		RequestContext  recordRequestContext   `json:"requestContext"`
		RequestPayload  any                    `json:"requestPayload"`
		ResponseContext *recordResponseContext `json:"responseContext,omitempty"`
		ResponsePayload any                    `json:"responsePayload,omitempty"`
	}
	recordRequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionArn            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	}
	recordResponseContext struct {
		StatusCode      int    `json:"statusCode"`
		ExecutedVersion string `json:"executedVersion"`
		FunctionError   string `json:"functionError,omitempty"`
	}
)

// recordTimeLayout is a record's timestamp: 2019-11-14T18:16:05.568Z.
const recordTimeLayout = eventsource.BatchTimeLayout

// responseContext is an outcome's responseContext, nil when the function
// never ran.
func (o outcome) responseContext() *recordResponseContext {
	if o.statusCode == 0 {
		return nil
	}
	return &recordResponseContext{StatusCode: o.statusCode, ExecutedVersion: o.executedVersion, FunctionError: o.functionError}
}

// invocationRecordFor is the JSON record of an asynchronous invocation.
func invocationRecordFor(e *asyncInvocation, functionARN string, o outcome, now time.Time) []byte {
	rec := invocationRecord{
		Version:   "1.0",
		Timestamp: now.UTC().Format(recordTimeLayout),
		RequestContext: recordRequestContext{RequestID: e.ID, FunctionArn: functionARN,
			Condition: o.condition, ApproximateInvokeCount: o.attempts},
		RequestPayload:  rawOrString(e.Payload),
		ResponseContext: o.responseContext(),
	}
	if rec.ResponseContext != nil {
		// A function that returned nothing has a null responsePayload.
		rec.ResponsePayload = rawOrString(o.response)
		if rec.ResponsePayload == nil {
			rec.ResponsePayload = json.RawMessage("null")
		}
	}
	// Payloads reach the destination as the function and its caller wrote
	// them: json.Marshal would rewrite <, > and & inside them as \u003c...
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(rec)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// rawOrString embeds JSON as it is, and anything else as a string.
func rawOrString(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	if json.Valid(b) {
		return json.RawMessage(b)
	}
	return string(b)
}

// finish sends an asynchronous invocation's outcome where its policy says.
func (s *Service) finish(ctx context.Context, e *asyncInvocation, p asyncPolicy, o outcome) error {
	if s.destinations == nil {
		return nil
	}
	functionARN := s.qualifiedARN(e.Function, eicQualifier(e.Qualifier))
	now := s.clock.Now()
	if o.condition == conditionSuccess {
		if p.onSuccess == "" {
			return nil
		}
		return s.countFailure(e, MetricDestinationDeliveryFailures, s.destinations.Deliver(ctx, p.onSuccess, deliver.Message{
			Body: invocationRecordFor(e, functionARN, o, now), Source: "lambda", DetailType: "Lambda Function Invocation Result - Success",
			Resources: []string{p.onSuccess, functionARN}, Role: roleFor(p.role, e.Function)}))
	}
	if p.onFailure != "" {
		return s.countFailure(e, MetricDestinationDeliveryFailures, s.destinations.Deliver(ctx, p.onFailure, deliver.Message{
			Body: invocationRecordFor(e, functionARN, o, now), Source: "lambda", DetailType: "Lambda Function Invocation Result - Failure",
			Resources: []string{p.onFailure, functionARN}, Role: roleFor(p.role, e.Function),
			ObjectKey: s.failureObjectKey(p.onFailure, "aws/lambda/async/"+e.Function, now)}))
	}
	if p.dlq == "" {
		return nil
	}
	msg := "Function failed on every attempt"
	code := strconv.Itoa(o.statusCode)
	if o.condition == conditionEventAgeExceeded {
		msg = "Event age exceeded the maximum"
	}
	if o.functionError != "" {
		var fe struct {
			ErrorMessage string `json:"errorMessage"`
		}
		if json.Unmarshal(o.response, &fe) == nil && fe.ErrorMessage != "" {
			msg = fe.ErrorMessage
		}
	}
	return s.countFailure(e, MetricDeadLetterErrors, s.destinations.Deliver(ctx, p.dlq, deliver.Message{Body: e.Payload, Attributes: map[string]deliver.Attribute{
		"RequestID":    {DataType: "String", StringValue: e.ID},
		"ErrorCode":    {DataType: "Number", StringValue: code},
		"ErrorMessage": {DataType: "String", StringValue: truncateUTF8(msg, maxDLQErrorMessage)},
	}, Role: roleFor(p.role, e.Function)}))
}

// failureObjectKey is the key under which an S3 bucket destination
// keeps a failure record sent at now: under prefix (an asynchronous
// invocation's aws/lambda/async/FUNCTION, a stream mapping's
// aws/lambda/UUID/SHARD), then YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-UUID, as
// Lambda names it. It is "" for destinations that are no bucket.
func (s *Service) failureObjectKey(dest, prefix string, now time.Time) string {
	if _, ok := deliver.Bucket(dest); !ok {
		return ""
	}
	now = now.UTC()
	return prefix + now.Format("/2006/01/02/2006-01-02T15.04.05-") + s.ids.UUID()
}

// countFailure counts a failed delivery of an asynchronous invocation's
// outcome (DestinationDeliveryFailures, DeadLetterErrors) and returns
// err.
func (s *Service) countFailure(e *asyncInvocation, metric string, err error) error {
	if err != nil {
		s.count(e.Function, e.Qualifier, metric, "Count", 1)
	}
	return err
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
