package asl

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Machine is a parsed state machine (or a Parallel branch, or a Map
// state's item processor).
type Machine struct {
	StartAt        string
	States         map[string]*State
	TimeoutSeconds int64
	Comment        string
}

// State is one state of a machine.
type State struct {
	Name string
	Type string
	Next string
	End  bool

	InputPath, OutputPath, ResultPath optPath
	Parameters, ResultSelector        *template
	Result                            any
	HasResult                         bool

	// Task.
	Resource             string
	TimeoutSeconds       int64
	TimeoutSecondsPath   *Path
	HeartbeatSeconds     int64
	HeartbeatSecondsPath *Path
	Retry                []Retrier
	Catch                []Catcher

	// Choice.
	Choices []*Rule
	Default string

	// Wait.
	Seconds       *int64
	Timestamp     *time.Time
	SecondsPath   *Path
	TimestampPath *Path

	// Fail.
	Error, Cause         string
	ErrorPath, CausePath *dynamic

	// Parallel.
	Branches []*Machine

	// Map.
	ItemsPath      *Path
	ItemSelector   *template
	Processor      *Machine
	MaxConcurrency int
	// Distributed is a Map state in DISTRIBUTED mode: its iterations
	// are child workflow executions of a Map Run, Label names the Map
	// Run, and ItemBatcher (BatchMaxItems, BatchMaxBytes, BatchInput)
	// groups items into batches.
	Distributed   bool
	Label         string
	BatchMaxItems int64
	BatchMaxBytes int64
	BatchInput    *template
	// ItemReader reads a Distributed Map state's items from a file in
	// S3 (arn:aws:states:::s3:getObject).
	ItemReader *ItemReader
	// Tolerated is a Distributed Map state's failure threshold
	// (ToleratedFailureCount, ToleratedFailurePercentage and their
	// Path forms); ResultWriter exports its Map Run's results.
	Tolerated    Tolerated
	ResultWriter *ResultWriter

	// JSONata is set for a state whose QueryLanguage is JSONata; its
	// fields are then Arguments, Output, Assign and Items, and jfields
	// holds the other fields given as expressions (Seconds, Timestamp,
	// TimeoutSeconds, HeartbeatSeconds, Error, Cause, MaxConcurrency,
	// ItemSelector).
	JSONata                          bool
	Arguments, Output, Assign, Items *jvalue
	jfields                          map[string]*jvalue
}

// optPath is a path field: absent means "$", JSON null means "discard"
// (the empty object for InputPath and OutputPath, the input for
// ResultPath).
type optPath struct {
	null bool
	p    *Path
}

// dynamic is a value computed from the input: a path or an intrinsic
// function (Fail's ErrorPath and CausePath accept both).
type dynamic struct {
	path *Path
	fn   *intrinsic
}

// Retrier is one element of a Retry field.
type Retrier struct {
	ErrorEquals     []string
	IntervalSeconds int64
	MaxAttempts     int64
	BackoffRate     float64
	MaxDelaySeconds int64
	Jitter          bool
}

// Catcher is one element of a Catch field.
type Catcher struct {
	ErrorEquals []string
	Next        string
	ResultPath  optPath
	// Output and Assign are a JSONata state's.
	Output, Assign *jvalue
}

// The state types of the States Language.
var stateTypes = []string{"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}

// Problem is one finding of definition validation, as Step Functions
// reports it: a code, a message and where in the document.
type Problem struct {
	Code     string
	Message  string
	Location string
}

// DefinitionError is a definition Step Functions refuses. Its message
// is InvalidDefinition's: Invalid State Machine Definition: 'CODE:
// message at /location, ...'.
type DefinitionError struct{ Problems []Problem }

func (e *DefinitionError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Code + ": " + p.Message
		if p.Location != "" {
			parts[i] += " at " + p.Location
		}
	}
	return "Invalid State Machine Definition: '" + strings.Join(parts, ", ") + "'"
}

type parser struct {
	problems []Problem
	names    map[string]string // every state name, to its location
}

func (p *parser) add(code, loc, format string, a ...any) {
	p.problems = append(p.problems, Problem{Code: code, Message: fmt.Sprintf(format, a...), Location: loc})
}

func (p *parser) schema(loc, format string, a ...any) {
	p.add("SCHEMA_VALIDATION_FAILED", loc, format, a...)
}

// Parse parses and validates a definition.
func Parse(definition string) (*Machine, error) {
	doc, err := Decode([]byte(definition))
	if err != nil {
		return nil, &DefinitionError{Problems: []Problem{{Code: "INVALID_JSON_DESCRIPTION", Message: jsonErrorText(err)}}}
	}
	top, ok := doc.(map[string]any)
	if !ok {
		return nil, &DefinitionError{Problems: []Problem{{Code: "SCHEMA_VALIDATION_FAILED", Message: "The definition must be a JSON object", Location: "/"}}}
	}
	p := &parser{names: map[string]string{}}
	m := p.machine(top, "", "JSONPath")
	if len(p.problems) > 0 {
		return nil, &DefinitionError{Problems: p.problems}
	}
	return m, nil
}

func jsonErrorText(err error) string {
	return "Cannot parse the definition as JSON: " + err.Error()
}

// The query languages.
const (
	jsonPath  = "JSONPath"
	jsonataQL = "JSONata"
)

func (p *parser) machine(doc map[string]any, loc string, ql string) *Machine {
	m := &Machine{States: map[string]*State{}}
	if v, ok := doc["QueryLanguage"]; ok {
		switch v {
		case jsonPath, jsonataQL:
			if ql == jsonataQL && v == jsonPath {
				p.schema(loc+"/QueryLanguage", "A state machine whose QueryLanguage is JSONata cannot use JSONPath")
			}
			ql = v.(string)
		default:
			p.schema(orRoot(loc)+"/QueryLanguage", "The field \"QueryLanguage\" should be one of these values: [JSONPath, JSONata]")
		}
	}
	var missing []string
	start, ok := doc["StartAt"].(string)
	if !ok {
		missing = append(missing, "StartAt")
	}
	states, ok := doc["States"].(map[string]any)
	if !ok {
		missing = append(missing, "States")
	}
	if len(missing) > 0 {
		p.schema(orRoot(loc), "These fields are required: [%s]", strings.Join(missing, ", "))
		return m
	}
	m.StartAt = start
	m.Comment, _ = doc["Comment"].(string)
	if t, ok := doc["TimeoutSeconds"]; ok {
		n, ok := integer(t)
		if !ok || n <= 0 {
			p.schema(loc+"/TimeoutSeconds", "The value for the field 'TimeoutSeconds' must be a positive integer")
		}
		m.TimeoutSeconds = n
	}
	for _, name := range sortedKeys(states) {
		sl := loc + "/States/" + name
		if prev, dup := p.names[name]; dup {
			p.schema(sl, "State names must be unique; %q is also at %s", name, prev)
		}
		p.names[name] = sl
		if len(name) > 80 {
			p.schema(sl, "State names must be at most 80 characters long")
		}
		sd, ok := states[name].(map[string]any)
		if !ok {
			p.schema(sl, "A state must be a JSON object")
			continue
		}
		if s := p.state(name, sd, sl, ql); s != nil {
			m.States[name] = s
		}
	}
	if len(p.problems) > 0 {
		return m
	}
	p.transitions(m, loc)
	return m
}

func orRoot(loc string) string {
	if loc == "" {
		return "/"
	}
	return loc
}

// transitions checks every transition's target, that every state is
// reachable and that the machine can end.
func (p *parser) transitions(m *Machine, loc string) {
	if _, ok := m.States[m.StartAt]; !ok {
		p.add("MISSING_TRANSITION_TARGET", loc+"/StartAt", "Missing 'Next' target: %s", m.StartAt)
	}
	reach := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		s, ok := m.States[n]
		if !ok || reach[n] {
			return
		}
		reach[n] = true
		for _, t := range s.targets() {
			visit(t.name)
		}
	}
	terminal := false
	for _, name := range sortedStates(m) {
		s := m.States[name]
		if s.End || s.Type == "Succeed" || s.Type == "Fail" {
			terminal = true
		}
		for _, t := range s.targets() {
			if _, ok := m.States[t.name]; !ok {
				p.add("MISSING_TRANSITION_TARGET", loc+"/States/"+name+t.loc, "Missing 'Next' target: %s", t.name)
			}
		}
	}
	if !terminal {
		p.add("MISSING_END_STATE", "", "Workflow has no terminal state")
		return
	}
	visit(m.StartAt)
	for _, name := range sortedStates(m) {
		if !reach[name] {
			p.add("MISSING_TRANSITION_TARGET", loc+"/States/"+name, "State %q is not reachable.", name)
		}
	}
}

func sortedStates(m *Machine) []string {
	ks := make([]string, 0, len(m.States))
	for k := range m.States {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

type target struct{ name, loc string }

func (s *State) targets() []target {
	var ts []target
	if s.Next != "" {
		ts = append(ts, target{s.Next, "/Next"})
	}
	for i, r := range s.Choices {
		ts = append(ts, target{r.Next, "/Choices[" + strconv.Itoa(i) + "]/Next"})
	}
	if s.Default != "" {
		ts = append(ts, target{s.Default, "/Default"})
	}
	for i, c := range s.Catch {
		ts = append(ts, target{c.Next, "/Catch[" + strconv.Itoa(i) + "]/Next"})
	}
	return ts
}

func (p *parser) state(name string, d map[string]any, loc string, ql string) *State {
	s := &State{Name: name}
	if v, ok := d["QueryLanguage"]; ok {
		switch {
		case v == jsonPath && ql == jsonataQL:
			p.schema(loc+"/QueryLanguage", "A state machine whose QueryLanguage is JSONata cannot use JSONPath")
		case v == jsonPath || v == jsonataQL:
			ql = v.(string)
		default:
			p.schema(loc+"/QueryLanguage", "The field \"QueryLanguage\" should be one of these values: [JSONPath, JSONata]")
		}
	}
	if ql == jsonataQL {
		s.JSONata = true
		d = p.jsonataFields(s, d, loc)
	} else {
		for _, f := range []string{"Arguments", "Output", "Assign", "Items"} {
			if _, ok := d[f]; ok {
				p.schema(loc+"/"+f, "The field %q is supported only with QueryLanguage JSONata", f)
			}
		}
	}
	typ, _ := d["Type"].(string)
	if !contains(stateTypes, typ) {
		if _, ok := d["Type"]; !ok {
			p.schema(loc, "These fields are required: [Type]")
		} else {
			p.schema(loc+"/Type", "The field \"Type\" should be one of these values: [%s]", strings.Join(stateTypes, ", "))
		}
		return nil
	}
	s.Type = typ
	// "The following state types support Assign: Pass, Task, Map,
	// Parallel, Choice, Wait."; a Fail state has no output.
	if s.Assign != nil && (typ == "Succeed" || typ == "Fail") {
		p.schema(loc, "Field \"Assign\" is not supported for state type %q", typ)
	}
	if s.Output != nil && typ == "Fail" {
		p.schema(loc, "Field \"Output\" is not supported for state type %q", typ)
	}
	allowed := map[string][]string{
		"InputPath":      {"Task", "Pass", "Choice", "Wait", "Succeed", "Parallel", "Map"},
		"OutputPath":     {"Task", "Pass", "Choice", "Wait", "Succeed", "Parallel", "Map"},
		"Parameters":     {"Task", "Pass", "Parallel", "Map"},
		"ResultPath":     {"Task", "Pass", "Parallel", "Map"},
		"ResultSelector": {"Task", "Parallel", "Map"},
		"Retry":          {"Task", "Parallel", "Map"},
		"Catch":          {"Task", "Parallel", "Map"},
		"Next":           {"Task", "Pass", "Wait", "Parallel", "Map"},
		"End":            {"Task", "Pass", "Wait", "Parallel", "Map"},
		"Result":         {"Pass"},
	}
	for field, types := range allowed {
		if _, ok := d[field]; ok && !contains(types, typ) {
			p.schema(loc, "Field %q is not supported for state type %q", field, typ)
		}
	}
	if next, ok := d["Next"]; ok {
		s.Next, _ = next.(string)
		if s.Next == "" {
			p.schema(loc+"/Next", "The value for the field 'Next' must be a non-empty string")
		}
	}
	if end, ok := d["End"]; ok {
		s.End, _ = end.(bool)
	}
	switch typ {
	case "Task", "Pass", "Wait", "Parallel", "Map":
		if s.Next != "" && s.End {
			p.schema(loc, "Only one of these fields may be given: [Next, End]")
		}
		if s.Next == "" && !s.End {
			p.schema(loc, "These fields are required: [Next or End]")
		}
	}
	s.InputPath = p.optionalPath(d, "InputPath", loc, false)
	s.OutputPath = p.optionalPath(d, "OutputPath", loc, false)
	s.ResultPath = p.optionalPath(d, "ResultPath", loc, true)
	s.Parameters = p.template(d, "Parameters", loc)
	s.ResultSelector = p.template(d, "ResultSelector", loc)
	if r, ok := d["Result"]; ok {
		s.Result, s.HasResult = r, true
	}
	s.Retry = p.retriers(d["Retry"], loc+"/Retry")
	s.Catch = p.catchers(d["Catch"], loc+"/Catch", s.JSONata)
	switch typ {
	case "Task":
		s.Resource, _ = d["Resource"].(string)
		if s.Resource == "" {
			p.schema(loc, "These fields are required: [Resource]")
		}
		s.TimeoutSeconds = p.positive(d, "TimeoutSeconds", loc)
		s.HeartbeatSeconds = p.positive(d, "HeartbeatSeconds", loc)
		s.TimeoutSecondsPath = p.refPath(d, "TimeoutSecondsPath", loc)
		s.HeartbeatSecondsPath = p.refPath(d, "HeartbeatSecondsPath", loc)
		if s.TimeoutSeconds > 0 && s.HeartbeatSeconds >= s.TimeoutSeconds {
			p.schema(loc+"/HeartbeatSeconds", "HeartbeatSeconds must be smaller than TimeoutSeconds")
		}
	case "Choice":
		rules, ok := d["Choices"].([]any)
		if !ok || len(rules) == 0 {
			p.schema(loc, "These fields are required: [Choices]")
		}
		for i, r := range rules {
			rl := loc + "/Choices[" + strconv.Itoa(i) + "]"
			rd, ok := r.(map[string]any)
			if !ok {
				p.schema(rl, "A choice rule must be a JSON object")
				continue
			}
			var rule *Rule
			if s.JSONata {
				rule = p.ruleJ(rd, rl)
			} else {
				rule = p.rule(rd, rl, true)
			}
			if rule != nil {
				s.Choices = append(s.Choices, rule)
			}
		}
		s.Default, _ = d["Default"].(string)
	case "Wait":
		n := 0
		if v, ok := d["Seconds"]; ok {
			n++
			sec, ok := integer(v)
			if !ok || sec < 0 {
				p.schema(loc+"/Seconds", "The value for the field 'Seconds' must be a non-negative integer")
			}
			s.Seconds = &sec
		}
		if v, ok := d["Timestamp"]; ok {
			n++
			str, _ := v.(string)
			t, ok := parseTimestamp(str)
			if !ok {
				p.schema(loc+"/Timestamp", "The value for the field 'Timestamp' must be a valid ISO-8601 timestamp")
			}
			s.Timestamp = &t
		}
		if _, ok := d["SecondsPath"]; ok {
			n++
			s.SecondsPath = p.refPath(d, "SecondsPath", loc)
		}
		if _, ok := d["TimestampPath"]; ok {
			n++
			s.TimestampPath = p.refPath(d, "TimestampPath", loc)
		}
		n += len(s.jfields["Seconds"].list()) + len(s.jfields["Timestamp"].list())
		if n != 1 {
			p.schema(loc, "Exactly one of these fields is required: [Seconds, Timestamp, SecondsPath, TimestampPath]")
		}
	case "Fail":
		s.Error, _ = d["Error"].(string)
		s.Cause, _ = d["Cause"].(string)
		s.ErrorPath = p.dynamic(d, "ErrorPath", loc)
		s.CausePath = p.dynamic(d, "CausePath", loc)
		if _, ok := d["Error"]; ok && s.ErrorPath != nil {
			p.schema(loc, "Only one of these fields may be given: [Error, ErrorPath]")
		}
		if _, ok := d["Cause"]; ok && s.CausePath != nil {
			p.schema(loc, "Only one of these fields may be given: [Cause, CausePath]")
		}
	case "Parallel":
		bs, ok := d["Branches"].([]any)
		if !ok || len(bs) == 0 {
			p.schema(loc, "These fields are required: [Branches]")
		}
		for i, b := range bs {
			bd, ok := b.(map[string]any)
			bl := loc + "/Branches[" + strconv.Itoa(i) + "]"
			if !ok {
				p.schema(bl, "A branch must be a JSON object")
				continue
			}
			s.Branches = append(s.Branches, p.machine(bd, bl, ql))
		}
	case "Map":
		s.ItemsPath = p.refPath(d, "ItemsPath", loc)
		if !s.JSONata {
			s.ItemSelector = p.template(d, "ItemSelector", loc)
		}
		if s.ItemSelector == nil {
			s.ItemSelector = s.Parameters
		}
		if mc, ok := d["MaxConcurrency"]; ok {
			n, ok := integer(mc)
			if !ok || n < 0 {
				p.schema(loc+"/MaxConcurrency", "The value for the field 'MaxConcurrency' must be a non-negative integer")
			}
			s.MaxConcurrency = int(n)
		}
		proc, ok := d["ItemProcessor"].(map[string]any)
		field := "ItemProcessor"
		if !ok {
			proc, ok = d["Iterator"].(map[string]any)
			field = "Iterator"
		}
		if !ok {
			p.schema(loc, "These fields are required: [ItemProcessor]")
			break
		}
		if cfg, ok := proc["ProcessorConfig"].(map[string]any); ok && cfg["Mode"] == "DISTRIBUTED" {
			s.Distributed = true
			if et := cfg["ExecutionType"]; et != "STANDARD" && et != "EXPRESS" {
				p.schema(loc+"/"+field+"/ProcessorConfig/ExecutionType", "The value for the field 'ExecutionType' must be STANDARD or EXPRESS")
			}
		}
		p.distributedFields(s, d, loc)
		s.Processor = p.machine(proc, loc+"/"+field, ql)
	}
	return s
}

// maxBatchBytes is the most MaxInputBytesPerBatch may be: "up to 256
// KiB", a state's input limit.
const maxBatchBytes = 256 * 1024

// maxLabel is the most characters a Map Run's Label may have.
const maxLabel = 40

// distributedFields parses the fields only a Map state in DISTRIBUTED
// mode takes: Label and ItemBatcher.
func (p *parser) distributedFields(s *State, d map[string]any, loc string) {
	for _, f := range []string{"Label", "ItemBatcher", "ItemReader", "ResultWriter", "ToleratedFailureCount",
		"ToleratedFailurePercentage", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath"} {
		if _, ok := d[f]; ok && !s.Distributed {
			p.schema(loc+"/"+f, "The field %q is only supported for a Map state in DISTRIBUTED mode", f)
		}
	}
	if v, ok := d["Label"]; ok {
		l, _ := v.(string)
		if l == "" || len([]rune(l)) > maxLabel || strings.ContainsAny(l, " <>{}[]?*\"#%^|~`$&,;:/") {
			p.schema(loc+"/Label", "The value for the field 'Label' must be a string of 1 to 40 characters without spaces or special characters")
		}
		s.Label = l
	}
	p.itemReader(s, d, loc)
	p.tolerated(s, d, loc)
	p.resultWriter(s, d, loc)
	b, ok := d["ItemBatcher"].(map[string]any)
	if _, given := d["ItemBatcher"]; given && !ok {
		p.schema(loc+"/ItemBatcher", "The value for the field 'ItemBatcher' must be an object")
	}
	if !ok {
		return
	}
	for _, f := range []string{"MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"} {
		if _, ok := b[f]; ok {
			p.schema(loc+"/ItemBatcher/"+f, "The field %q is not supported by virga", f)
		}
	}
	s.BatchMaxItems = p.positive(b, "MaxItemsPerBatch", loc+"/ItemBatcher")
	s.BatchMaxBytes = p.positive(b, "MaxInputBytesPerBatch", loc+"/ItemBatcher")
	if s.BatchMaxBytes > maxBatchBytes {
		p.schema(loc+"/ItemBatcher/MaxInputBytesPerBatch", "The value for the field 'MaxInputBytesPerBatch' must be at most %d", maxBatchBytes)
	}
	if s.BatchMaxItems == 0 && s.BatchMaxBytes == 0 {
		p.schema(loc+"/ItemBatcher", "An ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch")
	}
	if _, ok := b["BatchInput"]; ok {
		if s.JSONata {
			p.schema(loc+"/ItemBatcher/BatchInput", "The field \"BatchInput\" of a JSONata state is not supported by virga")
		} else {
			s.BatchInput = p.template(b, "BatchInput", loc+"/ItemBatcher")
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) positive(d map[string]any, field, loc string) int64 {
	v, ok := d[field]
	if !ok {
		return 0
	}
	n, ok := integer(v)
	if !ok || n <= 0 {
		p.schema(loc+"/"+field, "The value for the field '%s' must be a positive integer", field)
	}
	return n
}

func (p *parser) optionalPath(d map[string]any, field, loc string, reference bool) optPath {
	v, ok := d[field]
	if !ok {
		return optPath{}
	}
	if v == nil {
		return optPath{null: true}
	}
	str, _ := v.(string)
	path, err := ParsePath(str)
	if err != nil || path.context {
		p.schema(loc+"/"+field, "The value for the field '%s' must be a valid JSONPath", field)
		return optPath{}
	}
	if reference && !path.IsReference() {
		p.schema(loc+"/"+field, "The value for the field '%s' must be a valid ReferencePath", field)
		return optPath{}
	}
	return optPath{p: path}
}

func (p *parser) refPath(d map[string]any, field, loc string) *Path {
	v, ok := d[field]
	if !ok {
		return nil
	}
	str, _ := v.(string)
	path, err := ParsePath(str)
	if err != nil || !path.IsReference() {
		p.schema(loc+"/"+field, "The value for the field '%s' must be a valid ReferencePath", field)
		return nil
	}
	return path
}

func (p *parser) dynamic(d map[string]any, field, loc string) *dynamic {
	v, ok := d[field]
	if !ok {
		return nil
	}
	str, _ := v.(string)
	dyn, err := parseDynamic(str)
	if err != nil {
		p.schema(loc+"/"+field, "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call", field)
		return nil
	}
	return dyn
}

func parseDynamic(s string) (*dynamic, error) {
	if isIntrinsic(s) {
		fn, err := parseIntrinsic(s)
		if err != nil {
			return nil, err
		}
		return &dynamic{fn: fn}, nil
	}
	path, err := ParsePath(s)
	if err != nil {
		return nil, err
	}
	return &dynamic{path: path}, nil
}

func (p *parser) retriers(v any, loc string) []Retrier {
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		p.schema(loc, "The value for the field 'Retry' must be an array")
		return nil
	}
	var out []Retrier
	for i, e := range list {
		el := loc + "[" + strconv.Itoa(i) + "]"
		d, ok := e.(map[string]any)
		if !ok {
			p.schema(el, "A retrier must be a JSON object")
			continue
		}
		r := Retrier{IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2}
		r.ErrorEquals = p.errorEquals(d, el, i == len(list)-1)
		if n, ok := d["IntervalSeconds"]; ok {
			if r.IntervalSeconds, ok = integer(n); !ok || r.IntervalSeconds < 1 {
				p.schema(el+"/IntervalSeconds", "The value for the field 'IntervalSeconds' must be a positive integer")
			}
		}
		if n, ok := d["MaxAttempts"]; ok {
			if r.MaxAttempts, ok = integer(n); !ok || r.MaxAttempts < 0 {
				p.schema(el+"/MaxAttempts", "The value for the field 'MaxAttempts' must be a non-negative integer")
			}
		}
		if n, ok := d["BackoffRate"]; ok {
			if r.BackoffRate, ok = number(n); !ok || r.BackoffRate < 1 {
				p.schema(el+"/BackoffRate", "The value for the field 'BackoffRate' must be a number not less than 1.0")
			}
		}
		if n, ok := d["MaxDelaySeconds"]; ok {
			if r.MaxDelaySeconds, ok = integer(n); !ok || r.MaxDelaySeconds < 1 {
				p.schema(el+"/MaxDelaySeconds", "The value for the field 'MaxDelaySeconds' must be a positive integer")
			}
		}
		if j, ok := d["JitterStrategy"]; ok {
			switch j {
			case "FULL":
				r.Jitter = true
			case "NONE":
			default:
				p.schema(el+"/JitterStrategy", "The field \"JitterStrategy\" should be one of these values: [FULL, NONE]")
			}
		}
		out = append(out, r)
	}
	return out
}

func (p *parser) catchers(v any, loc string, jsonataState bool) []Catcher {
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		p.schema(loc, "The value for the field 'Catch' must be an array")
		return nil
	}
	var out []Catcher
	for i, e := range list {
		el := loc + "[" + strconv.Itoa(i) + "]"
		d, ok := e.(map[string]any)
		if !ok {
			p.schema(el, "A catcher must be a JSON object")
			continue
		}
		c := Catcher{ErrorEquals: p.errorEquals(d, el, i == len(list)-1)}
		c.Next, _ = d["Next"].(string)
		if c.Next == "" {
			p.schema(el, "These fields are required: [Next]")
		}
		if jsonataState {
			if _, ok := d["ResultPath"]; ok {
				p.schema(el+"/ResultPath", "The field \"ResultPath\" is not supported with QueryLanguage JSONata")
			}
			c.Output = p.compileField(d, "Output", el)
			c.Assign = p.compileField(d, "Assign", el)
		} else {
			c.ResultPath = p.optionalPath(d, "ResultPath", el, true)
			for _, f := range []string{"Output", "Assign"} {
				if _, ok := d[f]; ok {
					p.schema(el+"/"+f, "The field %q is supported only with QueryLanguage JSONata", f)
				}
			}
		}
		out = append(out, c)
	}
	return out
}

func (p *parser) errorEquals(d map[string]any, loc string, last bool) []string {
	list, ok := d["ErrorEquals"].([]any)
	if !ok || len(list) == 0 {
		p.schema(loc, "These fields are required: [ErrorEquals]")
		return nil
	}
	var out []string
	for _, e := range list {
		s, _ := e.(string)
		out = append(out, s)
		if s == ErrALL && (len(list) != 1 || !last) {
			p.schema(loc+"/ErrorEquals", "States.ALL must appear alone, in the last retrier or catcher")
		}
	}
	return out
}

// parseTimestamp reads an RFC 3339 timestamp with an uppercase T and a
// zone, as the States Language requires.
func parseTimestamp(s string) (time.Time, bool) {
	if !strings.Contains(s, "T") {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// template is a Parameters, ResultSelector or ItemSelector value: JSON
// in which fields whose names end in ".$" take their values from paths
// or intrinsic functions.
type template struct {
	literal any
	fields  []tmplField // for an object
	items   []*template // for an array
	kind    int         // 0 literal, 1 object, 2 array
}

type tmplField struct {
	name    string
	src     string // the ".$" field's text, for errors
	dyn     *dynamic
	literal *template
}

func (p *parser) template(d map[string]any, field, loc string) *template {
	v, ok := d[field]
	if !ok {
		return nil
	}
	return p.compile(v, loc+"/"+field)
}

func (p *parser) compile(v any, loc string) *template {
	switch t := v.(type) {
	case map[string]any:
		out := &template{kind: 1}
		for _, k := range sortedKeys(t) {
			if name, ok := strings.CutSuffix(k, ".$"); ok {
				s, _ := t[k].(string)
				dyn, err := parseDynamic(s)
				if err != nil {
					p.schema(loc, "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call", k)
					continue
				}
				out.fields = append(out.fields, tmplField{name: name, src: s, dyn: dyn})
				continue
			}
			out.fields = append(out.fields, tmplField{name: k, literal: p.compile(t[k], loc+"/"+k)})
		}
		return out
	case []any:
		out := &template{kind: 2}
		for i, e := range t {
			out.items = append(out.items, p.compile(e, loc+"["+strconv.Itoa(i)+"]"))
		}
		return out
	}
	return &template{literal: v}
}

// jsonPathFields are the fields JSONata replaces.
var jsonPathFields = []string{"InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "ItemsPath",
	"SecondsPath", "TimestampPath", "TimeoutSecondsPath", "HeartbeatSecondsPath", "ErrorPath", "CausePath",
	"MaxConcurrencyPath", "Result"}

// jsonataFields reads a JSONata state's own fields and returns the
// definition without the fields given as expressions, for the common
// parsing to read the rest.
func (p *parser) jsonataFields(s *State, d map[string]any, loc string) map[string]any {
	for _, f := range jsonPathFields {
		if _, ok := d[f]; ok {
			p.schema(loc+"/"+f, "The field %q is not supported with QueryLanguage JSONata", f)
		}
	}
	s.Arguments = p.compileField(d, "Arguments", loc)
	s.Output = p.compileField(d, "Output", loc)
	s.Assign = p.compileField(d, "Assign", loc)
	s.Items = p.compileField(d, "Items", loc)
	if s.Assign != nil && s.Assign.kind != 2 {
		p.schema(loc+"/Assign", "The value for the field 'Assign' must be an object")
	}
	rest := make(map[string]any, len(d))
	for k, v := range d {
		rest[k] = v
	}
	s.jfields = map[string]*jvalue{}
	for _, f := range []string{"Seconds", "Timestamp", "TimeoutSeconds", "HeartbeatSeconds", "Error", "Cause", "MaxConcurrency",
		"ToleratedFailureCount", "ToleratedFailurePercentage"} {
		if _, ok := jexpr(d[f]); ok {
			s.jfields[f] = p.compileField(d, f, loc)
			delete(rest, f)
		}
	}
	if v, ok := d["ItemSelector"]; ok {
		s.jfields["ItemSelector"] = p.compileField(d, "ItemSelector", loc)
		_ = v
		delete(rest, "ItemSelector")
	}
	return rest
}

func (p *parser) compileField(d map[string]any, field, loc string) *jvalue {
	v, ok := d[field]
	if !ok {
		return nil
	}
	j, err := compileJ(v)
	if err != nil {
		p.schema(loc+"/"+field, "%s", err.Error())
		return nil
	}
	return j
}

// list is j as a list of one (or none), for counting given fields.
func (j *jvalue) list() []*jvalue {
	if j == nil {
		return nil
	}
	return []*jvalue{j}
}

// ruleJ reads a JSONata Choice rule: Condition, Next, and optionally
// Output and Assign.
func (p *parser) ruleJ(d map[string]any, loc string) *Rule {
	r := &Rule{}
	r.Next, _ = d["Next"].(string)
	if r.Next == "" {
		p.schema(loc, "These fields are required: [Next]")
	}
	if _, ok := d["Condition"]; !ok {
		p.schema(loc, "These fields are required: [Condition]")
		return nil
	}
	r.Condition = p.compileField(d, "Condition", loc)
	r.Output = p.compileField(d, "Output", loc)
	r.Assign = p.compileField(d, "Assign", loc)
	for _, f := range []string{"Variable", "And", "Or", "Not"} {
		if _, ok := d[f]; ok {
			p.schema(loc+"/"+f, "The field %q is not supported with QueryLanguage JSONata", f)
		}
	}
	return r
}
