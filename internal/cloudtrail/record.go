package cloudtrail

import (
	"net"
	"reflect"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
)

// queueSize bounds the calls captured and not yet written. When the
// writer falls this far behind, further calls are dropped (and
// counted) rather than slow the requests down.
const queueSize = 8192

// capture is what Record copies out of a call, on the request's
// goroutine; everything else is worked out by the writer.
type capture struct {
	service  *awsproto.Service
	op       string
	dataType string // a data event's resource type; "" for a management event
	// active are the trails logging when the call was answered: those,
	// not the ones logging when the writer gets to it, take its event.
	active    *activeTrails
	caller    awsproto.Caller
	region    string
	time      time.Time
	sourceIP  string
	userAgent string
	host      string
	requestID string
	errorCode string
	errorMsg  string
	input     any
	output    any
	// done, set on a flush marker, is closed once everything queued
	// before it is written.
	done chan struct{}
}

// dataEvents names, per service (as the edge names it) and operation,
// the resource type of the calls CloudTrail counts as data events:
// those the event history never keeps and only trails whose selectors
// take that type log.
var dataEvents = map[string]map[string]string{
	"s3": ops(typeS3Object, "GetObject", "PutObject", "CopyObject", "DeleteObject", "DeleteObjects", "HeadObject",
		"GetObjectAcl", "PutObjectAcl", "GetObjectTagging", "PutObjectTagging", "DeleteObjectTagging",
		"CreateMultipartUpload", "UploadPart", "UploadPartCopy", "CompleteMultipartUpload", "AbortMultipartUpload",
		"ListParts", "PostObject", "GetObjectAttributes", "RestoreObject"),
	"dynamodb": ops(typeDynamoDB, "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
		"BatchWriteItem", "TransactGetItems", "TransactWriteItems", "ExecuteStatement", "BatchExecuteStatement",
		"ExecuteTransaction"),
	"dynamodbstreams": ops("AWS::DynamoDB::Stream", "GetRecords", "GetShardIterator"),
	"lambda":          ops(typeLambdaFunc, "Invoke", "InvokeAsync", "InvokeWithResponseStream"),
	"sqs": ops("AWS::SQS::Queue", "SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage",
		"DeleteMessageBatch", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch"),
	"sns":     ops("AWS::SNS::Topic", "Publish", "PublishBatch"),
	"kinesis": ops("AWS::Kinesis::Stream", "PutRecord", "PutRecords", "GetRecords", "GetShardIterator", "SubscribeToShard"),
}

// notRecorded are calls CloudTrail does not record at all: S3's CORS
// preflights are not API calls, and CloudWatch Logs' and X-Ray's
// high-volume write and read calls are outside what virga records (see
// doc.go).
var notRecorded = map[string]map[string]string{
	"s3":   ops("-", "PreflightBucket", "PreflightObject"),
	"logs": ops("-", "PutLogEvents", "GetLogEvents", "FilterLogEvents"),
	"xray": ops("-", "PutTraceSegments", "PutTelemetryRecords"),
}

func ops(typ string, names ...string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[n] = typ
	}
	return m
}

// opClass is how Record treats an operation's calls.
type opClass struct {
	skip     bool
	dataType string
}

// classify returns the class of an operation, from classes, keyed by
// the operation's entry in its service's table (stable for the
// service's life), or worked out once and added.
func (s *Service) classify(service string, op *awsproto.Operation) opClass {
	if m := s.classes.Load(); m != nil {
		if c, ok := (*m)[op]; ok {
			return c
		}
	}
	_, skip := notRecorded[service][op.Name]
	c := opClass{skip: skip, dataType: dataEvents[service][op.Name]}
	s.classMu.Lock()
	defer s.classMu.Unlock()
	next := map[*awsproto.Operation]opClass{op: c}
	if m := s.classes.Load(); m != nil {
		for k, v := range *m {
			next[k] = v
		}
	}
	s.classes.Store(&next)
	return c
}

// Record captures an answered call for the event history and the
// trails. It never blocks: a management event is queued for the writer
// (dropped when the queue is full); a data event is dropped at once
// unless a logging trail's selectors may take its resource type, so
// that with no such trail the data plane pays two map lookups: the
// operation's class, cached by its table entry, and the logging
// trails' data resource types.
func (s *Service) Record(c *awsproto.Call) {
	if c.Service == nil || c.Op == nil {
		return
	}
	class := s.classify(c.Service.Name, c.Op)
	if class.skip {
		return
	}
	dataType := class.dataType
	active := s.active.Load()
	if dataType != "" && !active.dataTypes[dataType] {
		return
	}
	r := c.Request
	ip := r.RemoteAddr
	if h, _, err := net.SplitHostPort(ip); err == nil {
		ip = h
	}
	cp := &capture{service: c.Service, op: c.Op.Name, dataType: dataType, active: active, caller: c.Caller, region: c.Region,
		time: c.Started, sourceIP: ip, userAgent: r.UserAgent(), host: r.Host, requestID: c.RequestID,
		errorCode: c.ErrorCode, errorMsg: c.ErrorMessage, input: c.Input, output: c.Output}
	select {
	case s.queue <- cp:
	default:
		s.dropped.Add(1)
	}
}

// readOnlyPrefixes start the names of operations that only read:
// CloudTrail marks their events readOnly, and EventBridge rules match
// them only in the ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS state.
var readOnlyPrefixes = []string{"Get", "List", "Describe", "Head", "Lookup", "Query", "Scan", "BatchGet",
	"Search", "Select", "Filter", "Receive", "TransactGet", "Test", "Check", "Preview", "Download"}

// notReadOnly are operations whose names read like reads but that
// CloudTrail counts as changes: STS's GetSessionToken and
// GetFederationToken mint credentials.
var notReadOnly = map[string]bool{"GetSessionToken": true, "GetFederationToken": true}

func readOnlyOp(op string) bool {
	if notReadOnly[op] {
		return false
	}
	for _, p := range readOnlyPrefixes {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// eventSourceName is the service's name in eventSource
// (NAME.amazonaws.com) and, through sourceNames, in the EventBridge
// source.
func eventSourceName(service string) string {
	switch service {
	case "dynamodbstreams":
		return "dynamodb"
	}
	return service
}

// sourceNames are EventBridge sources ("aws.NAME") that differ from
// the eventSource's name.
var sourceNames = map[string]string{"monitoring": "cloudwatch"}

func eventBridgeSource(service string) string {
	n := eventSourceName(service)
	if m, ok := sourceNames[n]; ok {
		n = m
	}
	return "aws." + n
}

// record is one CloudTrail record, its members in the order CloudTrail
// writes them.
type record struct {
	EventVersion       string           `json:"eventVersion"`
	UserIdentity       userIdentity     `json:"userIdentity"`
	EventTime          string           `json:"eventTime"`
	EventSource        string           `json:"eventSource"`
	EventName          string           `json:"eventName"`
	AwsRegion          string           `json:"awsRegion"`
	SourceIPAddress    string           `json:"sourceIPAddress"`
	UserAgent          string           `json:"userAgent"`
	ErrorCode          string           `json:"errorCode,omitempty"`
	ErrorMessage       string           `json:"errorMessage,omitempty"`
	RequestParameters  map[string]any   `json:"requestParameters"`
	ResponseElements   map[string]any   `json:"responseElements"`
	RequestID          string           `json:"requestID"`
	EventID            string           `json:"eventID"`
	ReadOnly           bool             `json:"readOnly"`
	Resources          []recordResource `json:"resources,omitempty"`
	EventType          string           `json:"eventType"`
	ManagementEvent    bool             `json:"managementEvent"`
	RecipientAccountID string           `json:"recipientAccountId"`
	EventCategory      string           `json:"eventCategory"`
}

// eventVersion is the record format version virga writes.
const eventVersion = "1.09"

type recordResource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type"`
}

type userIdentity struct {
	Type           string          `json:"type"`
	PrincipalID    string          `json:"principalId"`
	ARN            string          `json:"arn"`
	AccountID      string          `json:"accountId"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *sessionContext `json:"sessionContext,omitempty"`
}

type sessionContext struct {
	SessionIssuer sessionIssuer     `json:"sessionIssuer"`
	Attributes    map[string]string `json:"attributes"`
}

type sessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

// identity is the record's userIdentity for a caller, and the user
// name LookupEvents' Username attribute matches.
func identity(c awsproto.Caller) (userIdentity, string) {
	arn := c.ARN
	if arn == "" {
		arn = "arn:aws:iam::" + c.Account + ":root"
	}
	id := userIdentity{ARN: arn, AccountID: c.Account, AccessKeyID: c.AccessKeyID, PrincipalID: c.UserID}
	_, resource, _ := strings.Cut(arn, ":iam::")
	if _, r, ok := strings.Cut(arn, ":sts::"); ok {
		resource = r
	}
	_, resource, _ = strings.Cut(resource, ":")
	switch {
	case strings.HasPrefix(resource, "assumed-role/"):
		parts := strings.SplitN(strings.TrimPrefix(resource, "assumed-role/"), "/", 2)
		role, session := parts[0], ""
		if len(parts) == 2 {
			session = parts[1]
		}
		id.Type = "AssumedRole"
		rolePrincipal, _, _ := strings.Cut(c.UserID, ":")
		id.SessionContext = &sessionContext{
			SessionIssuer: sessionIssuer{Type: "Role", PrincipalID: rolePrincipal,
				ARN: "arn:aws:iam::" + c.Account + ":role/" + role, AccountID: c.Account, UserName: role},
			Attributes: map[string]string{"mfaAuthenticated": "false"},
		}
		return id, session
	case strings.HasPrefix(resource, "user/"):
		id.Type = "IAMUser"
		name := resource[strings.LastIndexByte(resource, '/')+1:]
		id.UserName = name
		return id, name
	}
	id.Type = "Root"
	if id.PrincipalID == "" {
		id.PrincipalID = c.Account
	}
	return id, "root"
}

// hidden is what CloudTrail writes in place of a sensitive parameter.
const hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

// maxParameterLen bounds a string parameter a record keeps; longer ones
// (documents, payloads) are left out.
const maxParameterLen = 1024

// parameters returns the scalar members of an operation's input or
// output (strings, numbers, booleans, lists of strings), named as
// CloudTrail names them (first letter lower case), the identifying
// parameters among them; nested structures and payloads are left out.
func parameters(v any, s3 bool) map[string]any {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil
	}
	out := map[string]any{}
	t := rv.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		fv := rv.Field(i)
		if fv.Kind() == reflect.Pointer {
			if fv.IsNil() {
				continue
			}
			fv = fv.Elem()
		}
		name := awsproto.LowerFirst(f.Name)
		if s3 {
			switch f.Name {
			case "Bucket":
				name = "bucketName"
			case "Body":
				continue
			}
		}
		var val any
		switch fv.Kind() {
		case reflect.String:
			if fv.Len() > maxParameterLen {
				continue
			}
			val = fv.String()
		case reflect.Bool:
			val = fv.Bool()
		case reflect.Int, reflect.Int32, reflect.Int64:
			val = fv.Int()
		case reflect.Float64:
			val = fv.Float()
		case reflect.Slice:
			if fv.Type().Elem().Kind() != reflect.String || fv.Len() == 0 || fv.Len() > 100 {
				continue
			}
			list := make([]string, fv.Len())
			for j := range list {
				list[j] = fv.Index(j).String()
			}
			val = list
		default:
			continue
		}
		if sensitive(f.Name) {
			val = hidden
		}
		out[name] = val
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// sensitive reports whether a member carries a secret CloudTrail does
// not write down.
func sensitive(name string) bool {
	for _, w := range []string{"Secret", "Password", "PrivateKey", "Plaintext", "SessionToken", "SecretString"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}
