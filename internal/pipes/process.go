package pipes

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/eventsource"
)

// Processing a batch:
//
//	records ─► [EnrichmentParameters.InputTemplate, each record]
//	        ─► enrichment, invoked once, synchronously, with the batch as
//	           a JSON array; what it returns are the events that go on
//	           (an array: its elements; null or nothing: none; any other
//	           value: one event)
//	        ─► [TargetParameters.InputTemplate, each event]
//	        ─► target: Lambda and Step Functions get the batch as a JSON
//	           array in one invocation; SQS, SNS, event buses, Kinesis and
//	           CloudWatch Logs get one message, record or log event per event.
//
// What reached the target is reported record by record, so that a
// reader deletes or checkpoints only those. Without an enrichment each
// event is its record: a target that takes one event at a time has
// delivered those before the first that failed, and a Lambda function or
// Step Functions execution that answers with a partial batch failure
// ({"batchItemFailures": [{"itemIdentifier": ID}]}, the ID an SQS
// record's messageId, a Kinesis record's sequenceNumber or a DynamoDB
// record's dynamodb.SequenceNumber) has processed all but those it names
// (an ID outside the batch fails it whole). With an enrichment a batch
// reaches the target whole or not at all, and is enriched again when it
// is retried; an enrichment's own failure fails the batch.

// servicePrincipal is the principal pipes assume their role as.
const servicePrincipal = "pipes.amazonaws.com"

// process runs a batch of records (each one JSON) through the pipe's
// enrichment and to its target, and reports which records were
// delivered; err is nil only when all were.
func (s *Service) process(ctx context.Context, r *pipeRecord, records [][]byte) ([]bool, error) {
	done := make([]bool, len(records))
	tc := templateContext{pipeARN: s.pipeARN(r.Name), pipeName: r.Name, sourceARN: r.Source, enrichmentARN: r.Enrichment,
		targetARN: r.Target, ingested: s.clock.Now()}
	events := records
	if r.Enrichment != "" {
		in := events
		if p := r.EnrichmentParameters; p != nil && p.InputTemplate != nil {
			t, err := parseTemplate(*p.InputTemplate)
			if err != nil {
				return done, err
			}
			in = renderAll(t, events, tc)
		}
		var err error
		if events, err = s.enrich(ctx, r, in, events); err != nil {
			return done, fmt.Errorf("enrichment: %w", err)
		}
		if len(events) == 0 {
			return allDone(done), nil
		}
		// An enrichment may return more events than it was given, but
		// not more than the target takes in a batch.
		if limit, ok := targetBatchLimits[targetKind(r.Target)]; ok && len(events) > limit {
			return done, fmt.Errorf("the enrichment returned %d events, more than the target takes in a batch (%d)", len(events), limit)
		}
		tc.ingested = s.clock.Now()
	}
	// Target parameters' JSON paths read the events before the input
	// template: "Dynamic path parameters can't reference new or
	// transformed values resulting from input transformation."
	original := events
	if p := r.TargetParameters; p != nil && p.InputTemplate != nil {
		t, err := parseTemplate(*p.InputTemplate)
		if err != nil {
			return done, err
		}
		events = renderAll(t, events, tc)
	}
	delivered, err := s.sendTarget(ctx, r, events, original)
	if err == nil {
		return allDone(done), nil
	}
	if r.Enrichment == "" {
		return delivered, err
	}
	return done, err
}

func allDone(done []bool) []bool {
	for i := range done {
		done[i] = true
	}
	return done
}

// itemID is what a partial batch failure names an event by: an SQS
// record's messageId, a Kinesis record's sequenceNumber, a DynamoDB
// record's dynamodb.SequenceNumber.
func itemID(event []byte) string {
	var e struct {
		MessageID      string `json:"messageId"`
		SequenceNumber string `json:"sequenceNumber"`
		Dynamodb       struct {
			SequenceNumber string
		} `json:"dynamodb"`
	}
	json.Unmarshal(event, &e)
	switch {
	case e.MessageID != "":
		return e.MessageID
	case e.SequenceNumber != "":
		return e.SequenceNumber
	}
	return e.Dynamodb.SequenceNumber
}

// partialFailure reads a Lambda function's or an execution's answer: nil
// when it reports no failure, otherwise which events were processed. An
// identifier that names no event of the batch, or a failure without one,
// fails the batch whole.
func partialFailure(answer []byte, events [][]byte) []bool {
	failed, ok := eventsource.BatchItemFailures(answer)
	if ok && len(failed) == 0 {
		return nil
	}
	done := make([]bool, len(events))
	if !ok {
		return done
	}
	ids := make(map[string][]int, len(events))
	for i, e := range events {
		done[i] = true
		id := itemID(e)
		ids[id] = append(ids[id], i)
	}
	for _, id := range failed {
		if len(ids[id]) == 0 {
			return make([]bool, len(events))
		}
		for _, i := range ids[id] {
			done[i] = false
		}
	}
	return done
}

func renderAll(t *template, events [][]byte, tc templateContext) [][]byte {
	out := make([][]byte, len(events))
	for i, e := range events {
		out[i] = t.render(e, tc)
	}
	return out
}

// jsonArray is a batch as a JSON array: each event that is JSON as it
// is, any other as a JSON string.
func jsonArray(events [][]byte) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, e := range events {
		if i > 0 {
			b.WriteByte(',')
		}
		if json.Valid(e) {
			b.Write(e)
		} else {
			s, _ := json.Marshal(string(e))
			b.Write(s)
		}
	}
	b.WriteByte(']')
	return b.Bytes()
}

// splitResult turns what an enrichment returned into the events that go
// on to the target.
func splitResult(out []byte) [][]byte {
	out = bytes.TrimSpace(out)
	if len(out) == 0 || string(out) == "null" {
		return nil
	}
	var arr []json.RawMessage
	if out[0] == '[' && json.Unmarshal(out, &arr) == nil {
		events := make([][]byte, len(arr))
		for i, e := range arr {
			events[i] = e
		}
		return events
	}
	return [][]byte{out}
}

// enrich runs the events (in, after the enrichment's input template;
// original, before it) through the pipe's enrichment and returns the
// events that go on. A Lambda function or state machine gets the batch
// in one invocation; an API destination or API Gateway enrichment, which
// does not batch, one request per event, what each answers being the
// events it becomes.
func (s *Service) enrich(ctx context.Context, r *pipeRecord, in, original [][]byte) ([][]byte, error) {
	if !isHTTP(targetKind(r.Enrichment)) {
		out, err := s.invoke(ctx, r, r.Enrichment, "REQUEST_RESPONSE", jsonArray(in))
		if err != nil {
			return nil, err
		}
		return splitResult(out), nil
	}
	var hp *PipeTargetHttpParameters
	if p := r.EnrichmentParameters; p != nil && p.HttpParameters != nil {
		hp = (*PipeTargetHttpParameters)(p.HttpParameters)
	}
	var events [][]byte
	for i, e := range in {
		out, err := s.callHTTP(ctx, r, r.Enrichment, hp, e, original[i])
		if err != nil {
			return nil, err
		}
		events = append(events, splitResult(out)...)
	}
	return events, nil
}

// callHTTP makes an API destination's or API Gateway REST API's request
// for one event (body), HttpParameters' JSON paths selecting in the
// event as it was before any input template (original).
func (s *Service) callHTTP(ctx context.Context, r *pipeRecord, arn string, hp *PipeTargetHttpParameters, body, original []byte) ([]byte, error) {
	action := "execute-api:Invoke"
	if targetKind(arn) == "api-destination" {
		action = "events:InvokeApiDestination"
	}
	if err := s.allowed(ctx, r, action, arn); err != nil {
		return nil, err
	}
	if s.http == nil {
		return nil, fmt.Errorf("virga cannot call %s", arn)
	}
	return s.http.CallHTTP(ctx, arn, dynamicHTTP(hp, original), body)
}

// dynamicHTTP is HttpParameters for one event: each value (not a header's
// name) that is a JSON path is what it selects in the event.
func dynamicHTTP(hp *PipeTargetHttpParameters, event []byte) *PipeTargetHttpParameters {
	if hp == nil {
		return nil
	}
	out := &PipeTargetHttpParameters{}
	for _, v := range hp.PathParameterValues {
		out.PathParameterValues = append(out.PathParameterValues, dynamic(v, event))
	}
	for _, m := range []struct{ in, out *map[string]string }{
		{&hp.HeaderParameters, &out.HeaderParameters}, {&hp.QueryStringParameters, &out.QueryStringParameters}} {
		if *m.in == nil {
			continue
		}
		*m.out = make(map[string]string, len(*m.in))
		for k, v := range *m.in {
			(*m.out)[k] = dynamic(v, event)
		}
	}
	return out
}

// invoke runs a Lambda function or a Step Functions state machine with a
// payload, synchronously (REQUEST_RESPONSE: the function's answer or the
// execution's output) or not (FIRE_AND_FORGET).
func (s *Service) invoke(ctx context.Context, r *pipeRecord, arn, invocation string, payload []byte) ([]byte, error) {
	switch targetKind(arn) {
	case "lambda":
		if err := s.allowed(ctx, r, "lambda:InvokeFunction", arn); err != nil {
			return nil, err
		}
		if s.fns == nil {
			return nil, fmt.Errorf("virga has no Lambda to invoke")
		}
		if invocation == "FIRE_AND_FORGET" {
			_, err := s.fns.InvokeAsync(ctx, arn, payload)
			return nil, err
		}
		resp, fnErr, err := s.fns.InvokeSync(ctx, arn, payload)
		if err != nil {
			return nil, err
		}
		if fnErr != "" {
			return nil, fmt.Errorf("the function failed (%s): %s", fnErr, resp)
		}
		return resp, nil
	case "states":
		if s.call == nil {
			return nil, fmt.Errorf("virga has no Step Functions to start")
		}
		if invocation != "REQUEST_RESPONSE" {
			if err := s.allowed(ctx, r, "states:StartExecution", arn); err != nil {
				return nil, err
			}
			_, err := s.call(ctx, "states", "StartExecution", map[string]any{"stateMachineArn": arn, "input": string(payload)})
			return nil, err
		}
		if err := s.allowed(ctx, r, "states:StartSyncExecution", arn); err != nil {
			return nil, err
		}
		out, err := s.call(ctx, "states", "StartSyncExecution", map[string]any{"stateMachineArn": arn, "input": string(payload)})
		if err != nil {
			return nil, err
		}
		if status, _ := out["status"].(string); status != "SUCCEEDED" {
			return nil, fmt.Errorf("the execution ended %s: %v %v", status, out["error"], out["cause"])
		}
		output, _ := out["output"].(string)
		return []byte(output), nil
	}
	return nil, fmt.Errorf("virga cannot invoke %s", arn)
}

// role is the pipe's role as deliveries carry it.
func (s *Service) role(r *pipeRecord) *deliver.Role {
	return &deliver.Role{ARN: r.RoleArn, Principal: servicePrincipal, SourceARN: s.pipeARN(r.Name), SourceAccount: s.account, Session: r.Name}
}

// allowed decides, with --auth iam, whether the pipe's role may be
// assumed by Pipes and allows action on resource.
func (s *Service) allowed(ctx context.Context, r *pipeRecord, action, resource string) error {
	if s.roleCheck == nil {
		return nil
	}
	if s.trust != nil {
		role := s.role(r)
		ok, err := s.trust(ctx, *role)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %s may not assume %s", deliver.ErrNotAuthorized, servicePrincipal, r.RoleArn)
		}
	}
	return s.roleCheck(ctx, r.RoleArn, r.Name, action, resource)
}

// sendTarget hands the events to the pipe's target; original are the
// events before the target's input template, which the target
// parameters' JSON paths and partial batch failures read. It reports
// which events were delivered; err is nil only when all were.
func (s *Service) sendTarget(ctx context.Context, r *pipeRecord, events, original [][]byte) ([]bool, error) {
	done := make([]bool, len(events))
	tp := r.TargetParameters
	if tp == nil {
		tp = &PipeTargetParameters{}
	}
	switch kind := targetKind(r.Target); kind {
	case "lambda":
		invocation := "REQUEST_RESPONSE"
		if p := tp.LambdaFunctionParameters; p != nil && p.InvocationType != nil {
			invocation = string(*p.InvocationType)
		}
		return s.invokeTarget(ctx, r, invocation, events, original)
	case "states":
		invocation := "FIRE_AND_FORGET"
		if p := tp.StepFunctionStateMachineParameters; p != nil && p.InvocationType != nil {
			invocation = string(*p.InvocationType)
		}
		return s.invokeTarget(ctx, r, invocation, events, original)
	case "sqs", "sns", "events":
		if s.targets == nil {
			return done, fmt.Errorf("virga cannot deliver to %s", r.Target)
		}
		for i, e := range events {
			o := original[i]
			m := deliver.Message{Body: e, Role: s.role(r)}
			switch kind {
			case "sqs":
				if p := tp.SqsQueueParameters; p != nil {
					m.GroupID = dynamic(deref(p.MessageGroupId), o)
					m.DeduplicationID = dynamic(deref(p.MessageDeduplicationId), o)
				}
			case "events":
				m.Source = "Pipe " + r.Name
				m.DetailType = "Event from " + sourceEventSource(r.Source)
				m.Resources = []string{}
				if p := tp.EventBridgeEventBusParameters; p != nil {
					if p.Source != nil {
						m.Source = dynamic(*p.Source, o)
					}
					if p.DetailType != nil {
						m.DetailType = dynamic(*p.DetailType, o)
					}
					m.Resources = append(m.Resources, p.Resources...)
				}
			}
			if err := s.targets.Deliver(ctx, r.Target, m); err != nil {
				return done, err
			}
			done[i] = true
		}
		return done, nil
	case "api-destination", "execute-api":
		for i, e := range events {
			if _, err := s.callHTTP(ctx, r, r.Target, tp.HttpParameters, e, original[i]); err != nil {
				return done, err
			}
			done[i] = true
		}
		return done, nil
	case "kinesis":
		if err := s.allowed(ctx, r, "kinesis:PutRecord", r.Target); err != nil {
			return done, err
		}
		key := ""
		if p := tp.KinesisStreamParameters; p != nil {
			key = deref(p.PartitionKey)
		}
		for i, e := range events {
			_, err := s.call(ctx, "kinesis", "PutRecord", map[string]any{"StreamARN": r.Target,
				"PartitionKey": dynamic(key, original[i]), "Data": base64.StdEncoding.EncodeToString(e)})
			if err != nil {
				return done, err
			}
			done[i] = true
		}
		return done, nil
	case "logs":
		if err := s.sendLogs(ctx, r, tp.CloudWatchLogsParameters, events, original); err != nil {
			return done, err
		}
		return allDone(done), nil
	}
	return done, fmt.Errorf("virga cannot deliver to %s", r.Target)
}

// invokeTarget invokes a Lambda or Step Functions target with the batch
// and reads a partial batch failure from its answer.
func (s *Service) invokeTarget(ctx context.Context, r *pipeRecord, invocation string, events, original [][]byte) ([]bool, error) {
	out, err := s.invoke(ctx, r, r.Target, invocation, jsonArray(events))
	if err != nil {
		return make([]bool, len(events)), err
	}
	if done := partialFailure(out, original); done != nil {
		return done, fmt.Errorf("the target reported a partial batch failure")
	}
	return allDone(make([]bool, len(events))), nil
}

// sourceEventSource is the eventSource of the records a source gives.
func sourceEventSource(arn string) string {
	switch sourceKind(arn) {
	case "sqs":
		return "aws:sqs"
	case "dynamodb":
		return "aws:dynamodb"
	case "kinesis":
		return "aws:kinesis"
	}
	return arn
}

// sendLogs writes each event as a log event of the target log group, in
// LogStreamName (the pipe's name when it is not given), created if it is
// not there, at the time Timestamp's path gives (milliseconds) or now.
func (s *Service) sendLogs(ctx context.Context, r *pipeRecord, p *PipeTargetCloudWatchLogsParameters, events, original [][]byte) error {
	if err := s.allowed(ctx, r, "logs:PutLogEvents", r.Target); err != nil {
		return err
	}
	group := strings.TrimSuffix(strings.SplitN(r.Target, ":log-group:", 2)[1], ":*")
	var logEvents []map[string]any
	stream := ""
	for i, e := range events {
		at := s.clock.Now().UnixMilli()
		if p != nil && p.Timestamp != nil {
			if v, err := strconv.ParseInt(dynamic(*p.Timestamp, original[i]), 10, 64); err == nil {
				at = v
			}
		}
		if p != nil && p.LogStreamName != nil && stream == "" {
			stream = dynamic(*p.LogStreamName, original[i])
		}
		logEvents = append(logEvents, map[string]any{"timestamp": at, "message": string(e)})
	}
	if stream == "" {
		stream = r.Name
	}
	// PutLogEvents takes a batch's events only in chronological order;
	// events of one time keep the batch's order.
	sort.SliceStable(logEvents, func(i, j int) bool { return logEvents[i]["timestamp"].(int64) < logEvents[j]["timestamp"].(int64) })
	s.call(ctx, "logs", "CreateLogStream", map[string]any{"logGroupName": group, "logStreamName": stream})
	_, err := s.call(ctx, "logs", "PutLogEvents", map[string]any{"logGroupName": group, "logStreamName": stream, "logEvents": logEvents})
	return err
}
