package events

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/deliver"
)

var targetIDPattern = regexp.MustCompile(`^[\.\-_A-Za-z0-9]+$`)

func (s *Service) putTargets(ctx context.Context, in *PutTargetsRequest) (*PutTargetsResponse, error) {
	busName := s.busName(in.EventBusName)
	s.mu.Lock()
	defer s.mu.Unlock()
	b, r, err := s.lookupRule(busName, *in.Rule)
	if err != nil {
		return nil, err
	}
	for _, t := range in.Targets {
		// "If you specify an SQS FIFO queue as a target", the message
		// group comes from SqsParameters, which is then required.
		if arn := deref(t.Arn); deliver.Service(arn) == "sqs" && strings.HasSuffix(arn, ".fifo") &&
			(t.SqsParameters == nil || deref(t.SqsParameters.MessageGroupId) == "") {
			return nil, ErrValidation.Withf("Parameter(s) SqsParameters must be specified for target: %s.", deref(t.Id))
		}
		if arn := deref(t.Arn); deref(t.RoleArn) == "" && s.needsRole(arn) {
			return nil, ErrValidation.Withf("RoleArn is required for target %s.", arn)
		}
		if err := checkTargetInput(t); err != nil {
			return nil, err
		}
		if err := checkDeadLetter(t.DeadLetterConfig); err != nil {
			return nil, err
		}
	}
	out := &PutTargetsResponse{FailedEntries: []PutTargetsResultEntry{}}
	targets := slices.Clone(r.rec.Targets)
	for _, t := range in.Targets {
		if msg := checkTarget(t); msg != "" {
			out.FailedEntries = append(out.FailedEntries, PutTargetsResultEntry{TargetId: t.Id, ErrorCode: ptr("ValidationException"), ErrorMessage: ptr(msg)})
			continue
		}
		i := slices.IndexFunc(targets, func(x Target) bool { return deref(x.Id) == deref(t.Id) })
		if i >= 0 {
			targets[i] = t
			continue
		}
		if len(targets) == maxTargets {
			return nil, ErrLimitExceeded.WithMessage("The requested resource exceeds the maximum number allowed.")
		}
		targets = append(targets, t)
	}
	rec := r.rec
	rec.Targets = targets
	if err := s.put(ruleKey(busName, rec.Name), rec); err != nil {
		return nil, err
	}
	r.rec = rec
	b.rules[rec.Name] = r
	out.FailedEntryCount = ptr(int32(len(out.FailedEntries)))
	return out, nil
}

// maxStartedBy is how much of "events-rule/RULE" EventBridge puts in
// the startedBy of the tasks a rule runs: the first 36 characters, as AWS
// does.
const maxStartedBy = 36

// startedBy is the startedBy of the tasks a rule runs.
func startedBy(ruleName string) string {
	v := "events-rule/" + ruleName
	if len(v) > maxStartedBy {
		v = v[:maxStartedBy]
	}
	return v
}

// needsRole reports whether EventBridge reaches target only as a
// session of the target's RoleArn, so that PutTargets refuses it
// without one: state machines, event buses, Kinesis data streams,
// Firehose streams and API
// destinations always
// (EventBridge has no resource-based access to them), and queues,
// topics and functions in another account, which EventBridge sends to
// with an execution role of the rule's account.
func (s *Service) needsRole(target string) bool {
	switch deliver.Service(target) {
	case "states", "events", "kinesis", "firehose", "ecs":
		return true
	case "sqs", "sns", "lambda":
		return deliver.Account(target) != s.account
	}
	return false
}

// checkTarget returns why PutTargets reports a target among its
// FailedEntries, or "".
func checkTarget(t Target) string {
	if !targetIDPattern.MatchString(deref(t.Id)) {
		return "Target Id is not valid."
	}
	switch deliver.Service(deref(t.Arn)) {
	case "sqs", "lambda", "sns", "events", "states":
	case "execute-api":
		if _, _, _, _, ok := parseRestAPIARN(deref(t.Arn)); !ok {
			return "Target " + deref(t.Arn) + " is not an API Gateway REST API ARN."
		}
	case "kinesis":
		if parts := strings.SplitN(deref(t.Arn), ":", 6); len(parts) != 6 || !strings.HasPrefix(parts[5], "stream/") {
			return "Target " + deref(t.Arn) + " is not a Kinesis data stream ARN."
		}
		if kp := t.KinesisParameters; kp != nil {
			if _, err := parsePath(deref(kp.PartitionKeyPath)); err != nil {
				return "PartitionKeyPath is invalid."
			}
		}
	case "firehose":
		if parts := strings.SplitN(deref(t.Arn), ":", 6); len(parts) != 6 || !strings.HasPrefix(parts[5], "deliverystream/") {
			return "Target " + deref(t.Arn) + " is not a Firehose stream ARN."
		}
	case "logs":
		if _, ok := deliver.LogGroup(deref(t.Arn)); !ok {
			return "Target " + deref(t.Arn) + " is not a log group ARN."
		}
	case "ecs":
		if !deliver.ClusterARN(deref(t.Arn)) {
			return "Target " + deref(t.Arn) + " is not an ECS cluster ARN."
		}
		if t.EcsParameters == nil {
			return "Parameter(s) EcsParameters must be specified for target: " + deref(t.Id) + "."
		}
	default:
		return "Target " + deref(t.Arn) + " is not supported in this version of virga."
	}
	return ""
}

// checkTargetInput returns the ValidationException with which PutTargets
// refuses a whole request for a target's input: AWS answers an Input
// that is not JSON ("JSON syntax error in input for target ID: ...") or
// more than one way of making the input for the request, not in
// FailedEntries.
func checkTargetInput(t Target) error {
	n := 0
	if t.Input != nil {
		n++
		if err := jsonSyntax(*t.Input); err != "" {
			return ErrValidation.Withf("JSON syntax error in input for target %s: %s", deref(t.Id), err)
		}
	}
	if t.InputPath != nil {
		n++
	}
	if t.InputTransformer != nil {
		n++
		for k, p := range t.InputTransformer.InputPathsMap {
			if strings.HasPrefix(k, "aws.") {
				return ErrValidation.Withf("InputPathsMap has an invalid key: %s. Keys starting with aws. are reserved.", k)
			}
			if _, err := parsePath(p); err != nil {
				return ErrValidation.Withf("InputPath for %s is invalid.", k)
			}
		}
	}
	if n > 1 {
		return ErrValidation.WithMessage("Only one of Input, InputPath, or InputTransformer must be provided.")
	}
	return nil
}

// jsonSyntax returns where text stops being JSON, in the form
// EventBridge's parser reports it ("[Source: (String)\"TEXT\"; line: 1,
// column: 3]"), or "" for valid JSON.
func jsonSyntax(text string) string {
	var v any
	err := json.Unmarshal([]byte(text), &v)
	if err == nil {
		return ""
	}
	off := len(text)
	if se := (*json.SyntaxError)(nil); errors.As(err, &se) {
		off = int(se.Offset)
	}
	off = min(off, len(text))
	line := 1 + strings.Count(text[:off], "\n")
	column := off - strings.LastIndex(text[:off], "\n")
	return "[Source: (String)\"" + text + "\"; line: " + strconv.Itoa(line) + ", column: " + strconv.Itoa(column) + "]"
}

func (s *Service) listTargetsByRule(ctx context.Context, in *ListTargetsByRuleRequest) (*ListTargetsByRuleResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, r, err := s.lookupRule(s.busName(in.EventBusName), *in.Rule)
	if err != nil {
		return nil, err
	}
	return &ListTargetsByRuleResponse{Targets: append([]Target{}, r.rec.Targets...)}, nil
}

func (s *Service) removeTargets(ctx context.Context, in *RemoveTargetsRequest) (*RemoveTargetsResponse, error) {
	busName := s.busName(in.EventBusName)
	s.mu.Lock()
	defer s.mu.Unlock()
	_, r, err := s.lookupRule(busName, *in.Rule)
	if err != nil {
		return nil, err
	}
	out := &RemoveTargetsResponse{FailedEntries: []RemoveTargetsResultEntry{}}
	rec := r.rec
	rec.Targets = slices.DeleteFunc(slices.Clone(rec.Targets), func(t Target) bool { return slices.Contains(in.Ids, deref(t.Id)) })
	if err := s.put(ruleKey(busName, rec.Name), rec); err != nil {
		return nil, err
	}
	r.rec = rec
	out.FailedEntryCount = ptr(int32(0))
	return out, nil
}

func (s *Service) listRuleNamesByTarget(ctx context.Context, in *ListRuleNamesByTargetRequest) (*ListRuleNamesByTargetResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookupBus(s.busName(in.EventBusName))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, n := range sortedNames(b.rules) {
		if slices.ContainsFunc(b.rules[n].rec.Targets, func(t Target) bool { return deref(t.Arn) == *in.TargetArn }) {
			names = append(names, n)
		}
	}
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return &ListRuleNamesByTargetResponse{RuleNames: append([]string{}, page...), NextToken: next}, nil
}

// input is what a target receives for an event: the event itself, the
// constant Input, the part InputPath selects, or InputTransformer's
// template filled in.
func input(t Target, event []byte, ruleARN, ruleName string) []byte {
	switch {
	case t.Input != nil:
		return []byte(*t.Input)
	case t.InputPath != nil:
		v, ok := selectPath(event, *t.InputPath)
		if !ok {
			return []byte("null")
		}
		return v
	case t.InputTransformer != nil:
		return transform(t.InputTransformer, event, ruleARN, ruleName)
	}
	return event
}

// partitionKey is the partition key of the record a Kinesis data stream
// target gets for an event: what KinesisParameters.PartitionKeyPath
// selects in the event (a string's text, any other value's JSON), or,
// without KinesisParameters, the event's id ("If you do not include this
// parameter, the default is to use the eventId as the partition key").
// A path that selects nothing also falls back to the event's id.
func partitionKey(t Target, event []byte) string {
	if kp := t.KinesisParameters; kp != nil {
		if v, ok := pathText(event, deref(kp.PartitionKeyPath)); ok {
			return v
		}
	}
	var ev struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(event, &ev)
	return ev.ID
}

// pathText is the text of what a JSON path selects in an event: a
// string's value, any other value's JSON; ok is false when it selects
// nothing, or null.
func pathText(event []byte, path string) (string, bool) {
	v, ok := selectPath(event, path)
	if !ok || string(v) == "null" {
		return "", false
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s, true
	}
	return string(v), true
}

// dynamicHTTPParameters is an API destination's or API Gateway target's
// HttpParameters for one event: "Any HttpParameters field value (except
// HeaderParameters map keys) can contain JSON paths instead of static
// values (for example $.detail.state)"; a path is replaced by what it
// selects in the event, "" when nothing.
func dynamicHTTPParameters(hp *HttpParameters, event []byte) *HttpParameters {
	if hp == nil {
		return nil
	}
	value := func(v string) string {
		if v != "$" && !strings.HasPrefix(v, "$.") && !strings.HasPrefix(v, "$[") {
			return v
		}
		text, _ := pathText(event, v)
		return text
	}
	out := &HttpParameters{}
	for _, v := range hp.PathParameterValues {
		out.PathParameterValues = append(out.PathParameterValues, value(v))
	}
	for _, m := range []struct{ in, out *map[string]string }{
		{&hp.HeaderParameters, &out.HeaderParameters}, {&hp.QueryStringParameters, &out.QueryStringParameters}} {
		if *m.in == nil {
			continue
		}
		*m.out = make(map[string]string, len(*m.in))
		for k, v := range *m.in {
			(*m.out)[k] = value(v)
		}
	}
	return out
}

// pathStep is one step of a JSON path: a member name or a list index.
type pathStep struct {
	name  string
	index int // -1 for a member
}

// parsePath reads the JSON paths EventBridge accepts: $, $.a.b, $.a[0],
// $['a b'].
func parsePath(p string) ([]pathStep, error) {
	if !strings.HasPrefix(p, "$") {
		return nil, errBadPath
	}
	var steps []pathStep
	rest := p[1:]
	for rest != "" {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			if end == 0 {
				return nil, errBadPath
			}
			steps = append(steps, pathStep{name: rest[:end], index: -1})
			rest = rest[end:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, errBadPath
			}
			inner := rest[1:end]
			rest = rest[end+1:]
			if len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[len(inner)-1] == inner[0] {
				steps = append(steps, pathStep{name: inner[1 : len(inner)-1], index: -1})
				continue
			}
			n, err := strconv.Atoi(inner)
			if err != nil || n < 0 {
				return nil, errBadPath
			}
			steps = append(steps, pathStep{index: n})
		default:
			return nil, errBadPath
		}
	}
	return steps, nil
}

type pathError struct{}

func (pathError) Error() string { return "invalid JSON path" }

var errBadPath = pathError{}

// selectPath returns the JSON a path selects in doc, as its text there:
// the members of an object keep their order and their characters, as
// they do in what EventBridge delivers.
func selectPath(doc []byte, path string) ([]byte, bool) {
	steps, err := parsePath(path)
	if err != nil {
		return nil, false
	}
	cur := json.RawMessage(bytes.TrimSpace(doc))
	if !json.Valid(cur) {
		return nil, false
	}
	for _, st := range steps {
		if st.index < 0 {
			var m map[string]json.RawMessage
			if json.Unmarshal(cur, &m) != nil || m == nil {
				return nil, false
			}
			v, ok := m[st.name]
			if !ok {
				return nil, false
			}
			cur = v
			continue
		}
		var l []json.RawMessage
		if json.Unmarshal(cur, &l) != nil || st.index >= len(l) {
			return nil, false
		}
		cur = l[st.index]
	}
	return cur, true
}

// transform fills an InputTemplate: each <name> becomes the value its
// InputPathsMap path selects (or a predefined aws.events variable). Inside
// a JSON string in the template a string value goes in without quotes;
// elsewhere a value goes in as JSON. A path that selects nothing gives
// null (an empty string inside quotes).
func transform(tr *InputTransformer, event []byte, ruleARN, ruleName string) []byte {
	vals := map[string][]byte{}
	for k, p := range tr.InputPathsMap {
		if v, ok := selectPath(event, p); ok {
			vals[k] = v
		}
	}
	vals["aws.events.rule-arn"], _ = json.Marshal(ruleARN)
	vals["aws.events.rule-name"], _ = json.Marshal(ruleName)
	// aws.events.event is the event without its detail; .json is all of it.
	vals["aws.events.event"] = withoutMember(event, "detail")
	vals["aws.events.event.json"] = event
	if t, ok := selectPath(event, "$.time"); ok {
		vals["aws.events.event.ingestion-time"] = t
	}
	tmpl := deref(tr.InputTemplate)
	var out []byte
	inString := false
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		switch {
		case c == '\\' && inString && i+1 < len(tmpl):
			out = append(out, c, tmpl[i+1])
			i++
			continue
		case c == '"':
			inString = !inString
		case c == '<':
			if end := strings.IndexByte(tmpl[i:], '>'); end > 0 {
				name := tmpl[i+1 : i+end]
				if v, ok := vals[name]; ok || isVarName(name) {
					out = appendValue(out, v, inString)
					i += end
					continue
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// withoutMember is a JSON object without one member, the others as they
// were and in their order; anything but an object comes back as it is.
func withoutMember(obj []byte, name string) []byte {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return obj
	}
	out := []byte{'{'}
	for dec.More() {
		key, err := dec.Token()
		var v json.RawMessage
		if err != nil || dec.Decode(&v) != nil {
			return obj
		}
		if key == name {
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, quote(key.(string))...)
		out = append(out, ':')
		out = append(out, v...)
	}
	return append(out, '}')
}

// quote is s as a JSON string; <, > and & stay as they are.
func quote(s string) []byte {
	return append(append([]byte{'"'}, quoted(s)...), '"')
}

func isVarName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// appendValue inserts a JSON value into a template.
func appendValue(out, v []byte, inString bool) []byte {
	if v == nil {
		if inString {
			return out
		}
		return append(out, "null"...)
	}
	if !inString {
		return append(out, v...)
	}
	s := string(v)
	if json.Unmarshal(v, &s) != nil {
		s = string(v)
	}
	return append(out, quoted(s)...) // escaped, without its quotes
}

// quoted is s escaped as inside a JSON string, without its quotes; <, >
// and & stay as they are.
func quoted(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	return out[1 : len(out)-1]
}
