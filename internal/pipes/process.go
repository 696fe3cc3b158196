package pipes

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/deliver"
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
// A batch fails as a whole: an enrichment or target that fails (a
// function error, an execution that does not succeed, a refused send)
// fails it.

// servicePrincipal is the principal pipes assume their role as.
const servicePrincipal = "pipes.amazonaws.com"

// process runs a batch of records (each one JSON) through the pipe's
// enrichment and to its target.
func (s *Service) process(ctx context.Context, r *pipeRecord, records [][]byte) error {
	tc := templateContext{pipeARN: s.pipeARN(r.Name), pipeName: r.Name, sourceARN: r.Source, enrichmentARN: r.Enrichment,
		targetARN: r.Target, ingested: s.clock.Now()}
	events := records
	if r.Enrichment != "" {
		in := events
		if p := r.EnrichmentParameters; p != nil && p.InputTemplate != nil {
			t, err := parseTemplate(*p.InputTemplate)
			if err != nil {
				return err
			}
			in = renderAll(t, events, tc)
		}
		out, err := s.invoke(ctx, r, r.Enrichment, "REQUEST_RESPONSE", jsonArray(in))
		if err != nil {
			return fmt.Errorf("enrichment: %w", err)
		}
		if events = splitResult(out); len(events) == 0 {
			return nil
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
			return err
		}
		events = renderAll(t, events, tc)
	}
	return s.sendTarget(ctx, r, events, original)
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
// parameters' JSON paths read.
func (s *Service) sendTarget(ctx context.Context, r *pipeRecord, events, original [][]byte) error {
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
		_, err := s.invoke(ctx, r, r.Target, invocation, jsonArray(events))
		return err
	case "states":
		invocation := "FIRE_AND_FORGET"
		if p := tp.StepFunctionStateMachineParameters; p != nil && p.InvocationType != nil {
			invocation = string(*p.InvocationType)
		}
		_, err := s.invoke(ctx, r, r.Target, invocation, jsonArray(events))
		return err
	case "sqs", "sns", "events":
		if s.targets == nil {
			return fmt.Errorf("virga cannot deliver to %s", r.Target)
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
				return err
			}
		}
		return nil
	case "kinesis":
		if err := s.allowed(ctx, r, "kinesis:PutRecord", r.Target); err != nil {
			return err
		}
		key := ""
		if p := tp.KinesisStreamParameters; p != nil {
			key = deref(p.PartitionKey)
		}
		for i, e := range events {
			_, err := s.call(ctx, "kinesis", "PutRecord", map[string]any{"StreamARN": r.Target,
				"PartitionKey": dynamic(key, original[i]), "Data": base64.StdEncoding.EncodeToString(e)})
			if err != nil {
				return err
			}
		}
		return nil
	case "logs":
		return s.sendLogs(ctx, r, tp.CloudWatchLogsParameters, events, original)
	}
	return fmt.Errorf("virga cannot deliver to %s", r.Target)
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
	var logEvents []any
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
	s.call(ctx, "logs", "CreateLogStream", map[string]any{"logGroupName": group, "logStreamName": stream})
	_, err := s.call(ctx, "logs", "PutLogEvents", map[string]any{"logGroupName": group, "logStreamName": stream, "logEvents": logEvents})
	return err
}
