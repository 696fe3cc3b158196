package sam

import "slices"

// eventSpec describes one type of event source of a function.
type eventSpec struct {
	// properties are the properties the type defines; required are
	// those it must have.
	properties map[string]bool
	required   []string
	// build generates the event's resources. It is nil for the types
	// virga accepts and skips (S3, Kinesis, ...).
	build func(t *transformer, f *function, name string, props map[string]any) error
}

// eventSpecs are the event source types of the SAM specification.
var eventSpecs = map[string]eventSpec{
	"Api": {
		properties: set("Auth", "Method", "Path", "RequestModel", "RequestParameters", "RestApiId", "TimeoutInMillis", "ResponseTransferMode"),
		required:   []string{"Path", "Method"},
		build:      (*transformer).apiEvent,
	},
	"HttpApi": {
		properties: set("ApiId", "Auth", "Method", "Path", "PayloadFormatVersion", "RouteSettings", "TimeoutInMillis"),
		build:      (*transformer).httpAPIEvent,
	},
	"SQS": {
		properties: set("Queue", "BatchSize", "Enabled", "FilterCriteria", "FunctionResponseTypes", "KmsKeyArn",
			"MaximumBatchingWindowInSeconds", "MetricsConfig", "ProvisionedPollerConfig", "ScalingConfig"),
		required: []string{"Queue"},
		build:    (*transformer).sqsEvent,
	},
	"DynamoDB": {
		properties: set("Stream", "StartingPosition", "StartingPositionTimestamp", "BatchSize",
			"BisectBatchOnFunctionError", "DestinationConfig", "Enabled", "FilterCriteria",
			"FunctionResponseTypes", "KmsKeyArn", "MaximumBatchingWindowInSeconds",
			"MaximumRecordAgeInSeconds", "MaximumRetryAttempts", "MetricsConfig",
			"ParallelizationFactor", "TumblingWindowInSeconds"),
		required: []string{"Stream", "StartingPosition"},
		build:    (*transformer).dynamoDBEvent,
	},
	"Kinesis": {
		properties: set("Stream", "StartingPosition", "StartingPositionTimestamp", "BatchSize",
			"BisectBatchOnFunctionError", "DestinationConfig", "Enabled", "FilterCriteria",
			"FunctionResponseTypes", "KmsKeyArn", "MaximumBatchingWindowInSeconds",
			"MaximumRecordAgeInSeconds", "MaximumRetryAttempts", "MetricsConfig",
			"ParallelizationFactor", "TumblingWindowInSeconds"),
		required: []string{"Stream", "StartingPosition"},
		build:    (*transformer).kinesisEvent,
	},
	"SNS": {
		properties: set("Topic", "FilterPolicy", "FilterPolicyScope", "Region", "RedrivePolicy", "SqsSubscription"),
		required:   []string{"Topic"},
		build:      (*transformer).snsEvent,
	},
	"Schedule": {
		properties: set("Schedule", "DeadLetterConfig", "Description", "Enabled", "Input", "Name", "RetryPolicy", "State", "RoleArn"),
		required:   []string{"Schedule"},
		build:      (*transformer).scheduleEvent,
	},
	"ScheduleV2": {
		properties: set("ScheduleExpression", "DeadLetterConfig", "Description", "EndDate", "FlexibleTimeWindow",
			"GroupName", "Input", "KmsKeyArn", "Name", "OmitName", "PermissionsBoundary", "RetryPolicy",
			"RoleArn", "ScheduleExpressionTimezone", "StartDate", "State"),
		required: []string{"ScheduleExpression"},
		build:    (*transformer).scheduleV2Event,
	},
	"EventBridgeRule": {
		properties: set("Pattern", "DeadLetterConfig", "EventBusName", "Input", "InputPath", "InputTransformer",
			"RetryPolicy", "RuleName", "State", "Target"),
		required: []string{"Pattern"},
		build:    (*transformer).ruleEvent,
	},
	"CloudWatchEvent": {
		properties: set("Pattern", "EventBusName", "Input", "InputPath", "State", "Enabled", "Target"),
		required:   []string{"Pattern"},
		build:      (*transformer).ruleEvent,
	},
	"S3": {
		properties: set("Bucket", "Events", "Filter"),
		required:   []string{"Bucket", "Events"},
		build:      (*transformer).s3Event,
	},
	// Accepted and skipped until virga has the service behind them.
	"MSK":              {},
	"MQ":               {},
	"SelfManagedKafka": {},
	"DocumentDB":       {},
	"IoTRule":          {},
	"AlexaSkill":       {},
	"Cognito": {
		properties: set("UserPool", "Trigger"),
		required:   []string{"UserPool", "Trigger"},
		build:      (*transformer).cognitoEvent,
	},
	"CloudWatchLogs": {
		properties: set("LogGroupName", "FilterPattern"),
		required:   []string{"LogGroupName", "FilterPattern"},
		build:      (*transformer).cloudWatchLogsEvent,
	},
}

// events builds the function's event sources, in name order.
func (t *transformer) events(f *function) error {
	v, ok := f.props["Events"]
	if !ok {
		return nil
	}
	events := asMap(v)
	if events == nil {
		return invalidType(f.id, "Events")
	}
	for _, name := range sortedKeys(events) {
		ev := asMap(events[name])
		typ, _ := ev["Type"].(string)
		spec, known := eventSpecs[typ]
		if !known {
			shown := typ
			if _, present := ev["Type"]; !present {
				shown = "None"
			}
			return eventError(f.id, name, "Resource dict has missing or invalid value for key Type. Event Type is: %s.", shown)
		}
		if !isAlphanumeric(name) {
			// Wording unconfirmed: the event's name becomes part of the
			// logical IDs of its resources.
			return eventError(f.id, name, "Logical ids must be alphanumeric.")
		}
		props := map[string]any{}
		if p, ok := ev["Properties"]; ok && p != nil {
			if props = asMap(p); props == nil {
				return eventError(f.id, name, "Type of property 'Properties' is invalid.")
			}
		}
		if spec.build == nil {
			t.warn(f.id, "event %s of type %s is not supported by virga yet and was skipped", name, typ)
			if f.skipped == nil {
				f.skipped = map[string]any{}
			}
			f.skipped[name] = typ + " events are not supported by virga yet"
			continue
		}
		// SAM names the event's resources, and its problems with the
		// event's properties, FUNCTIONEVENT.
		if err := checkProperties(f.id+name, typ, props, spec.properties); err != nil {
			return err
		}
		for _, r := range spec.required {
			// A property written with no value is missing, for SAM.
			if v, ok := props[r]; !ok || v == nil {
				return missingProperty(f.id+name, r)
			}
		}
		if err := spec.build(t, f, name, props); err != nil {
			return err
		}
	}
	return nil
}

// copyKeys copies the listed properties that are present.
func copyKeys(dst, src map[string]any, keys ...string) {
	for _, k := range keys {
		if v, ok := src[k]; ok {
			dst[k] = clone(v)
		}
	}
}

// permission builds a Lambda permission for a service to invoke the
// function.
func permission(f *function, principal string, sourceArn any) map[string]any {
	return f.resource("AWS::Lambda::Permission", map[string]any{
		"Action":       "lambda:InvokeFunction",
		"FunctionName": f.name(),
		"Principal":    principal,
		"SourceArn":    sourceArn,
	})
}

// pull notes that an event source mapping reads for the function and
// lets its role do so with an AWS managed policy.
func (t *transformer) pull(f *function, policy string) {
	f.pullEvents = true
	if f.role != nil {
		f.role.addManaged(t.managedPolicyARN(policy))
	}
}

// sqsEvent is FUNCTIONEVENT, an event source mapping from the queue.
func (t *transformer) sqsEvent(f *function, name string, p map[string]any) error {
	esm := map[string]any{"EventSourceArn": clone(p["Queue"]), "FunctionName": f.name()}
	copyKeys(esm, p, "BatchSize", "Enabled", "FilterCriteria", "FunctionResponseTypes", "KmsKeyArn",
		"MaximumBatchingWindowInSeconds", "MetricsConfig", "ProvisionedPollerConfig", "ScalingConfig")
	t.pull(f, "AWSLambdaSQSQueueExecutionRole")
	return t.add(f.id, f.id+name, f.resource("AWS::Lambda::EventSourceMapping", esm))
}

// dynamoDBEvent is FUNCTIONEVENT, an event source mapping from the
// table's stream.
func (t *transformer) dynamoDBEvent(f *function, name string, p map[string]any) error {
	return t.streamEvent(f, name, p, "AWSLambdaDynamoDBExecutionRole")
}

// kinesisEvent is FUNCTIONEVENT, an event source mapping from the
// Kinesis stream.
func (t *transformer) kinesisEvent(f *function, name string, p map[string]any) error {
	return t.streamEvent(f, name, p, "AWSLambdaKinesisExecutionRole")
}

// streamDestinationTypes are the types a stream event's OnFailure
// destination may name, for SAM to give the role the policy that lets
// it send there (none for Kafka).
var streamDestinationTypes = []string{"SQS", "SNS", "S3", "Kafka"}

// streamEvent is a stream event's mapping, its role given the managed
// policy that reads the stream.
func (t *transformer) streamEvent(f *function, name string, p map[string]any, policy string) error {
	esm := map[string]any{"EventSourceArn": clone(p["Stream"]), "FunctionName": f.name()}
	copyKeys(esm, p, "StartingPosition", "StartingPositionTimestamp", "BatchSize",
		"BisectBatchOnFunctionError", "Enabled", "FilterCriteria", "FunctionResponseTypes",
		"KmsKeyArn", "MaximumBatchingWindowInSeconds", "MaximumRecordAgeInSeconds",
		"MaximumRetryAttempts", "MetricsConfig", "ParallelizationFactor", "TumblingWindowInSeconds")
	if dc, ok := p["DestinationConfig"]; ok {
		onFailure := asMap(asMap(dc)["OnFailure"])
		dest, ok := onFailure["Destination"]
		if !ok {
			return eventError(f.id, name, "Missing required property 'DestinationConfig.OnFailure.Destination'.")
		}
		esm["DestinationConfig"] = map[string]any{"OnFailure": map[string]any{"Destination": clone(dest)}}
		if typ, given := onFailure["Type"]; given {
			typ, _ := typ.(string) // no intrinsics
			if !slices.Contains(streamDestinationTypes, typ) {
				return eventError(f.id, f.id+name, "The only valid values for 'Type' are 'SQS', 'SNS', 'S3', and 'Kafka'")
			}
			if f.role != nil {
				f.role.addDestination(f.id+name, typ, dest, true)
			}
		}
	}
	t.pull(f, policy)
	return t.add(f.id, f.id+name, f.resource("AWS::Lambda::EventSourceMapping", esm))
}

// snsEvent subscribes the function to the topic, FUNCTIONEVENT, and lets
// SNS invoke it, FUNCTIONEVENTPermission. With SqsSubscription the topic
// feeds a queue the function reads instead.
func (t *transformer) snsEvent(f *function, name string, p map[string]any) error {
	topic := p["Topic"]
	subProps := map[string]any{"Protocol": "lambda", "Endpoint": f.arn(), "TopicArn": clone(topic)}
	copyKeys(subProps, p, "FilterPolicy", "FilterPolicyScope", "Region", "RedrivePolicy")
	if sq, ok := p["SqsSubscription"]; ok && !isFalse(sq) {
		return t.snsToSQS(f, name, p, subProps, sq)
	}
	if err := t.add(f.id, f.id+name, f.resource("AWS::SNS::Subscription", subProps)); err != nil {
		return err
	}
	return t.add(f.id, f.id+name+"Permission", permission(f, "sns.amazonaws.com", clone(topic)))
}

// snsToSQS builds the SqsSubscription form of an SNS event: the queue
// FUNCTIONEVENTQueue (unless the event names one), its policy
// FUNCTIONEVENTQueuePolicy letting the topic send to it, the
// subscription FUNCTIONEVENT and the mapping
// FUNCTIONEVENTEventSourceMapping. These IDs could not be confirmed
// against SAM's.
func (t *transformer) snsToSQS(f *function, name string, p, subProps map[string]any, sq any) error {
	cfg := asMap(sq)
	var queueArn, queueURL any
	if cfg != nil && cfg["QueueArn"] != nil {
		if cfg["QueueUrl"] == nil {
			return eventError(f.id, name, "No QueueUrl provided for queue in SqsSubscription.")
		}
		queueArn, queueURL = clone(cfg["QueueArn"]), clone(cfg["QueueUrl"])
	} else {
		queue := f.id + name + "Queue"
		if err := t.add(f.id, queue, f.resource("AWS::SQS::Queue", map[string]any{})); err != nil {
			return err
		}
		queueArn, queueURL = getAtt(queue, "Arn"), ref(queue)
	}
	policyID := f.id + name + "QueuePolicy"
	if cfg != nil {
		if s, ok := cfg["QueuePolicyLogicalId"].(string); ok {
			policyID = s
		}
	}
	policy := map[string]any{
		"Queues": []any{queueURL},
		"PolicyDocument": map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Action":    "sqs:SendMessage",
				"Effect":    "Allow",
				"Principal": "*", // the condition names the topic
				"Resource":  clone(queueArn),
				"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": clone(p["Topic"])}},
			}},
		},
	}
	if err := t.add(f.id, policyID, f.resource("AWS::SQS::QueuePolicy", policy)); err != nil {
		return err
	}
	subProps["Protocol"] = "sqs"
	subProps["Endpoint"] = clone(queueArn)
	if err := t.add(f.id, f.id+name, f.resource("AWS::SNS::Subscription", subProps)); err != nil {
		return err
	}
	// SAM writes the mapping's BatchSize and Enabled, 10 and true unless
	// the subscription says otherwise.
	esm := map[string]any{"EventSourceArn": clone(queueArn), "FunctionName": f.name(), "BatchSize": 10, "Enabled": true}
	if cfg != nil {
		copyKeys(esm, cfg, "BatchSize", "Enabled")
	}
	t.pull(f, "AWSLambdaSQSQueueExecutionRole")
	return t.add(f.id, f.id+name+"EventSourceMapping", f.resource("AWS::Lambda::EventSourceMapping", esm))
}

// state is a rule's State: State when given, else from Enabled.
func state(p map[string]any) (any, bool) {
	if s, ok := p["State"]; ok {
		return clone(s), true
	}
	if e, ok := p["Enabled"]; ok {
		if isFalse(e) {
			return "DISABLED", true
		}
		if truthy(e) {
			return "ENABLED", true
		}
	}
	return nil, false
}

// scheduleEvent is FUNCTIONEVENT, an EventBridge rule on a schedule that
// targets the function, and FUNCTIONEVENTPermission.
func (t *transformer) scheduleEvent(f *function, name string, p map[string]any) error {
	id := f.id + name
	rule := map[string]any{"ScheduleExpression": clone(p["Schedule"])}
	copyKeys(rule, p, "Name", "Description")
	if s, ok := state(p); ok {
		rule["State"] = s
	}
	target, err := t.ruleTarget(f, name, p, id+"LambdaTarget")
	if err != nil {
		return err
	}
	rule["Targets"] = []any{target}
	if err := t.add(f.id, id, f.resource("AWS::Events::Rule", rule)); err != nil {
		return err
	}
	return t.add(f.id, id+"Permission", permission(f, "events.amazonaws.com", getAtt(id, "Arn")))
}

// ruleEvent is FUNCTIONEVENT, an EventBridge rule matching Pattern that
// targets the function, and FUNCTIONEVENTPermission; EventBridgeRule and
// CloudWatchEvent are built alike.
func (t *transformer) ruleEvent(f *function, name string, p map[string]any) error {
	id := f.id + name
	rule := map[string]any{"EventPattern": clone(p["Pattern"])}
	copyKeys(rule, p, "EventBusName")
	if n, ok := p["RuleName"]; ok {
		rule["Name"] = clone(n)
	}
	if s, ok := state(p); ok {
		rule["State"] = s
	}
	targetID := id + "LambdaTarget"
	if tg := asMap(p["Target"]); tg != nil {
		if v, ok := tg["Id"]; ok {
			s, ok := v.(string)
			if !ok {
				return invalidType(id, "Target.Id")
			}
			targetID = s
		}
	}
	target, err := t.ruleTarget(f, name, p, targetID)
	if err != nil {
		return err
	}
	copyKeys(target, p, "InputPath", "InputTransformer")
	rule["Targets"] = []any{target}
	if err := t.add(f.id, id, f.resource("AWS::Events::Rule", rule)); err != nil {
		return err
	}
	return t.add(f.id, id+"Permission", permission(f, "events.amazonaws.com", getAtt(id, "Arn")))
}

// ruleTarget is the function as the target of an EventBridge rule.
func (t *transformer) ruleTarget(f *function, name string, p map[string]any, targetID string) (map[string]any, error) {
	target := map[string]any{"Id": targetID, "Arn": f.arn()}
	copyKeys(target, p, "Input", "RetryPolicy")
	if dl, ok := p["DeadLetterConfig"]; ok {
		arn, err := t.eventDeadLetterQueue(f.id, name, f.attrs, dl, true)
		if err != nil {
			return nil, err
		}
		target["DeadLetterConfig"] = map[string]any{"Arn": arn}
	}
	return target, nil
}

// eventDeadLetterQueue is the queue the rule or schedule of the event name
// of owner sends what it could not deliver to: the Arn given, or with
// Type SQS a queue made for it, OWNERNAMEQueue (or QueueLogicalId), as
// SAM's translator makes it. A rule's queue gets OWNERNAMEQueuePolicy,
// which lets EventBridge send to it from that rule; a schedule sends
// through its role, which the caller lets do so.
func (t *transformer) eventDeadLetterQueue(owner, name string, attrs attributes, v any, rule bool) (any, error) {
	dl := asMap(v)
	if dl == nil {
		return nil, invalidType(owner+name, "DeadLetterConfig")
	}
	arn, hasArn := dl["Arn"]
	_, hasType := dl["Type"]
	switch typ, _ := t.resolve(dl["Type"]); {
	case hasArn && hasType:
		return nil, eventError(owner, name, "You can either define 'Arn' or 'Type' property of DeadLetterConfig.")
	case hasArn:
		return clone(arn), nil
	case !hasType:
		return nil, eventError(owner, name, "No 'Arn' or 'Type' property provided for DeadLetterConfig.")
	case typ != "SQS":
		return nil, eventError(owner, name, "The only valid value for 'Type' property of DeadLetterConfig is 'SQS'.")
	}
	eid := owner + name
	queue := eid + "Queue"
	if q, ok := dl["QueueLogicalId"]; ok {
		s, isString := q.(string)
		if !isString {
			return nil, eventError(owner, name, "QueueLogicalId must be a string")
		}
		queue = s
	}
	if err := t.add(owner, queue, attrs.resource("AWS::SQS::Queue", map[string]any{})); err != nil {
		return nil, err
	}
	if !rule {
		return getAtt(queue, "Arn"), nil
	}
	policy := map[string]any{
		"Queues": []any{ref(queue)},
		"PolicyDocument": map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Action":    "sqs:SendMessage",
				"Effect":    "Allow",
				"Principal": map[string]any{"Service": "events.amazonaws.com"},
				"Resource":  getAtt(queue, "Arn"),
				"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": getAtt(eid, "Arn")}},
			}},
		},
	}
	if err := t.add(owner, eid+"QueuePolicy", attrs.resource("AWS::SQS::QueuePolicy", policy)); err != nil {
		return nil, err
	}
	return getAtt(queue, "Arn"), nil
}

// scheduleV2Event is FUNCTIONEVENT, an EventBridge Scheduler schedule
// that invokes the function.
func (t *transformer) scheduleV2Event(f *function, name string, p map[string]any) error {
	return t.scheduleV2(f.id, name, f.attrs, p, f.arn(), map[string]any{
		"PolicyName":     f.id + name + "LambdaPolicy",
		"PolicyDocument": oneActionPolicy("lambda:InvokeFunction", f.arn()),
	})
}

// scheduleV2 is OWNERNAME, the EventBridge Scheduler schedule of a
// ScheduleV2 event, whose target arn is reached through the event's
// RoleArn or else a role made for it, OWNERNAMERole, that the scheduler
// may assume, with policy and, with a dead-letter queue,
// OWNERNAMESQSPolicy to send to it.
func (t *transformer) scheduleV2(owner, name string, attrs attributes, p map[string]any, arn any, policy map[string]any) error {
	id := owner + name
	sched := map[string]any{"ScheduleExpression": clone(p["ScheduleExpression"])}
	copyKeys(sched, p, "Description", "EndDate", "GroupName", "KmsKeyArn",
		"ScheduleExpressionTimezone", "StartDate", "State")
	if n, ok := p["Name"]; ok {
		sched["Name"] = clone(n)
	} else if !truthy(p["OmitName"]) {
		sched["Name"] = id
	}
	if w, ok := p["FlexibleTimeWindow"]; ok {
		sched["FlexibleTimeWindow"] = clone(w)
	} else {
		sched["FlexibleTimeWindow"] = map[string]any{"Mode": "OFF"}
	}
	target := map[string]any{"Arn": arn}
	copyKeys(target, p, "Input", "RetryPolicy")
	policies := []any{policy}
	if dl, ok := p["DeadLetterConfig"]; ok {
		queue, err := t.eventDeadLetterQueue(owner, name, attrs, dl, false)
		if err != nil {
			return err
		}
		target["DeadLetterConfig"] = map[string]any{"Arn": queue}
		policies = append(policies, map[string]any{
			"PolicyName":     id + "SQSPolicy",
			"PolicyDocument": oneActionPolicy("sqs:SendMessage", queue),
		})
	}
	if r, ok := p["RoleArn"]; ok {
		target["RoleArn"] = clone(r)
	} else {
		roleID := id + "Role"
		props := map[string]any{
			"AssumeRolePolicyDocument": map[string]any{
				"Version": "2012-10-17",
				"Statement": []any{map[string]any{
					"Action":    []any{"sts:AssumeRole"},
					"Effect":    "Allow",
					"Principal": map[string]any{"Service": []any{"scheduler.amazonaws.com"}},
				}},
			},
			"Policies": policies,
		}
		copyKeys(props, p, "PermissionsBoundary")
		if err := t.add(owner, roleID, attrs.resource("AWS::IAM::Role", props)); err != nil {
			return err
		}
		target["RoleArn"] = getAtt(roleID, "Arn")
	}
	sched["Target"] = target
	return t.add(owner, id, attrs.resource("AWS::Scheduler::Schedule", sched))
}
