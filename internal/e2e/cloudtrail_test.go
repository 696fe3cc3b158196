package e2e_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/e2e"
)

// wantTrailError checks a CloudTrail error's code and, when given, its
// message.
func wantTrailError(t testing.TB, what string, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
	if ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) {
		t.Errorf("%s: got %s %q, want %s %q", what, ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

func newTrailBucket(t testing.TB, env *e2e.Env, name string) {
	t.Helper()
	s3c := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
}

// TestCloudTrailTrails covers a trail's life: create (and the errors
// for a bad name, a missing bucket, a duplicate), get, describe, list,
// update, logging on and off, selectors, tags, delete.
func TestCloudTrailTrails(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	ct := cloudtrail.NewFromConfig(env.Config)
	newTrailBucket(t, env, "trail-logs")

	_, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("ab"), S3BucketName: aws.String("trail-logs")})
	wantTrailError(t, "short name", err, "InvalidTrailNameException", "")
	_, err = ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("my--trail"), S3BucketName: aws.String("trail-logs")})
	wantTrailError(t, "adjacent dashes", err, "InvalidTrailNameException", "")
	_, err = ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("192.168.5.4"), S3BucketName: aws.String("trail-logs")})
	wantTrailError(t, "an IP address", err, "InvalidTrailNameException", "")
	_, err = ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("audit"), S3BucketName: aws.String("no-such-bucket")})
	wantTrailError(t, "missing bucket", err, "S3BucketDoesNotExistException", "")

	created, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("audit"), S3BucketName: aws.String("trail-logs"),
		S3KeyPrefix: aws.String("ct"), TagsList: []cttypes.Tag{{Key: aws.String("team"), Value: aws.String("core")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:cloudtrail:us-east-1:000000000000:trail/audit"
	if aws.ToString(created.TrailARN) != arn || !aws.ToBool(created.IncludeGlobalServiceEvents) || aws.ToBool(created.IsMultiRegionTrail) {
		t.Errorf("CreateTrail: %+v", created)
	}
	_, err = ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("audit"), S3BucketName: aws.String("trail-logs")})
	wantTrailError(t, "duplicate", err, "TrailAlreadyExistsException", "")

	got, err := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(arn)})
	if err != nil || aws.ToString(got.Trail.S3KeyPrefix) != "ct" || aws.ToString(got.Trail.HomeRegion) != "us-east-1" || aws.ToBool(got.Trail.HasCustomEventSelectors) {
		t.Fatalf("GetTrail: %+v %v", got, err)
	}
	_, err = ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("nope-trail")})
	wantTrailError(t, "unknown trail", err, "TrailNotFoundException",
		"Unknown trail: arn:aws:cloudtrail:us-east-1:000000000000:trail/nope-trail for the user: 000000000000")

	desc, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(desc.TrailList) != 1 || aws.ToString(desc.TrailList[0].Name) != "audit" {
		t.Fatalf("DescribeTrails: %+v %v", desc, err)
	}
	list, err := ct.ListTrails(ctx, &cloudtrail.ListTrailsInput{})
	if err != nil || len(list.Trails) != 1 || aws.ToString(list.Trails[0].TrailARN) != arn {
		t.Fatalf("ListTrails: %+v %v", list, err)
	}
	up, err := ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("audit"), IsMultiRegionTrail: aws.Bool(true),
		SnsTopicName: aws.String("trail-topic")})
	if err != nil || !aws.ToBool(up.IsMultiRegionTrail) || aws.ToString(up.SnsTopicARN) != "arn:aws:sns:us-east-1:000000000000:trail-topic" {
		t.Fatalf("UpdateTrail: %+v %v", up, err)
	}

	st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("audit")})
	if err != nil || aws.ToBool(st.IsLogging) || st.StartLoggingTime != nil {
		t.Fatalf("GetTrailStatus before StartLogging: %+v %v", st, err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("audit")}); err != nil {
		t.Fatal(err)
	}
	st, err = ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("audit")})
	if err != nil || !aws.ToBool(st.IsLogging) || st.StartLoggingTime == nil {
		t.Fatalf("GetTrailStatus: %+v %v", st, err)
	}
	if _, err := ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("audit")}); err != nil {
		t.Fatal(err)
	}
	st, _ = ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("audit")})
	if aws.ToBool(st.IsLogging) || st.StopLoggingTime == nil {
		t.Errorf("GetTrailStatus after StopLogging: %+v", st)
	}

	sels, err := ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("audit")})
	if err != nil || len(sels.EventSelectors) != 1 || sels.EventSelectors[0].ReadWriteType != cttypes.ReadWriteTypeAll ||
		!aws.ToBool(sels.EventSelectors[0].IncludeManagementEvents) {
		t.Fatalf("default selectors: %+v %v", sels, err)
	}
	_, err = ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("audit"),
		EventSelectors: []cttypes.EventSelector{{DataResources: []cttypes.DataResource{{Type: aws.String("AWS::EC2::Instance"), Values: []string{"x"}}}}}})
	wantTrailError(t, "bad data resource type", err, "InvalidEventSelectorsException", "")
	_, err = ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("audit"),
		EventSelectors:         []cttypes.EventSelector{{}},
		AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}}}}}})
	wantTrailError(t, "both kinds of selectors", err, "InvalidParameterCombinationException", "")
	put, err := ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("audit"),
		AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{Name: aws.String("s3 writes"), FieldSelectors: []cttypes.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Data"}},
			{Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}},
			{Field: aws.String("readOnly"), Equals: []string{"false"}},
		}}}})
	if err != nil || aws.ToString(put.TrailARN) != arn || len(put.AdvancedEventSelectors) != 1 {
		t.Fatalf("PutEventSelectors: %+v %v", put, err)
	}
	got, _ = ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("audit")})
	if !aws.ToBool(got.Trail.HasCustomEventSelectors) {
		t.Errorf("HasCustomEventSelectors after PutEventSelectors: %+v", got.Trail)
	}

	if _, err := ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(arn), TagsList: []cttypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.RemoveTags(ctx, &cloudtrail.RemoveTagsInput{ResourceId: aws.String(arn), TagsList: []cttypes.Tag{{Key: aws.String("team")}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}})
	if err != nil || len(tags.ResourceTagList) != 1 || len(tags.ResourceTagList[0].TagsList) != 1 || aws.ToString(tags.ResourceTagList[0].TagsList[0].Key) != "env" {
		t.Fatalf("ListTags: %+v %v", tags, err)
	}
	_, err = ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{"arn:aws:cloudtrail:us-east-1:000000000000:trail/gone"}})
	wantTrailError(t, "tags of an unknown trail", err, "ResourceNotFoundException", "")

	if _, err := ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("audit")}); err != nil {
		t.Fatal(err)
	}
	_, err = ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("audit")})
	wantTrailError(t, "delete twice", err, "TrailNotFoundException", "")
}

// TestCloudTrailLookupEvents looks up the management events a few calls
// made, by name, source, resource and read-only, in pages; data events
// (DynamoDB's GetItem) are not in the history.
func TestCloudTrailLookupEvents(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	ct := cloudtrail.NewFromConfig(env.Config)
	ddb := dynamodb.NewFromConfig(env.Config)
	before := time.Now().Add(-time.Second)
	for _, name := range []string{"orders", "users", "carts"} {
		_, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: ddbtypes.BillingModePayPerRequest,
			AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
			KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("orders"),
		Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "x"}}}); err != nil {
		t.Fatal(err)
	}
	_, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("missing")})
	if err == nil {
		t.Fatal("DescribeTable of a missing table succeeded")
	}

	lookup := func(key cttypes.LookupAttributeKey, value string) []cttypes.Event {
		t.Helper()
		out, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(before),
			LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: key, AttributeValue: aws.String(value)}}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Events
	}
	creates := lookup(cttypes.LookupAttributeKeyEventName, "CreateTable")
	if len(creates) != 3 || aws.ToString(creates[0].Resources[0].ResourceName) != "carts" {
		t.Fatalf("CreateTable events (newest first): %+v", creates)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(creates[0].CloudTrailEvent)), &rec); err != nil {
		t.Fatal(err)
	}
	params, _ := rec["requestParameters"].(map[string]any)
	ident, _ := rec["userIdentity"].(map[string]any)
	if rec["eventSource"] != "dynamodb.amazonaws.com" || rec["eventType"] != "AwsApiCall" || rec["readOnly"] != false ||
		rec["managementEvent"] != true || rec["eventCategory"] != "Management" || rec["recipientAccountId"] != "000000000000" ||
		params["tableName"] != "carts" || ident["type"] != "Root" || ident["accessKeyId"] != "test" || rec["eventID"] != aws.ToString(creates[0].EventId) {
		t.Errorf("CloudTrailEvent: %v", rec)
	}
	if got := lookup(cttypes.LookupAttributeKeyEventName, "GetItem"); len(got) != 0 {
		t.Errorf("GetItem, a data event, is in the history: %+v", got)
	}
	orders := lookup(cttypes.LookupAttributeKeyResourceName, "orders")
	if len(orders) != 2 {
		t.Errorf("events on orders: %d, want CreateTable and DescribeTable", len(orders))
	}
	if got := lookup(cttypes.LookupAttributeKeyResourceType, "AWS::DynamoDB::Table"); len(got) != 5 {
		t.Errorf("events on tables: %d, want 5", len(got))
	}
	reads := lookup(cttypes.LookupAttributeKeyReadOnly, "true")
	failed := false
	for _, e := range reads {
		if aws.ToString(e.ReadOnly) != "true" {
			t.Errorf("ReadOnly=true gave %+v", e)
		}
		if strings.Contains(aws.ToString(e.CloudTrailEvent), `"errorCode":"ResourceNotFoundException"`) {
			failed = true
		}
	}
	if !failed {
		t.Errorf("the failed DescribeTable is not recorded with its error code: %+v", reads)
	}
	if got := lookup(cttypes.LookupAttributeKeyEventSource, "dynamodb.amazonaws.com"); len(got) != 5 {
		t.Errorf("dynamodb events: %d, want 5", len(got))
	}
	if got := lookup(cttypes.LookupAttributeKeyUsername, "root"); len(got) < 5 {
		t.Errorf("root's events: %d", len(got))
	}

	// Pages of two.
	var names []string
	var token *string
	for {
		out, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(2), NextToken: token, StartTime: aws.Time(before),
			LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String("dynamodb.amazonaws.com")}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.Events {
			names = append(names, aws.ToString(e.EventName))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if strings.Join(names, ",") != "DescribeTable,DescribeTable,CreateTable,CreateTable,CreateTable" {
		t.Errorf("paged events: %v", names)
	}

	_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("a")},
		{AttributeKey: cttypes.LookupAttributeKeyUsername, AttributeValue: aws.String("b")}}})
	wantTrailError(t, "two attributes", err, "InvalidLookupAttributesException", "")
	_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(time.Now()), EndTime: aws.Time(time.Now().Add(-time.Hour))})
	wantTrailError(t, "start after end", err, "InvalidTimeRangeException", "")
	_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{NextToken: aws.String("garbage!")})
	wantTrailError(t, "bad token", err, "InvalidNextTokenException", "")
}

// TestCloudTrailEventBridgeS3 sends S3 PutObject calls to a rule on "AWS
// API Call via CloudTrail" once a logging trail's selectors take the
// bucket's data events, and nothing before.
func TestCloudTrailEventBridgeS3(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	ct := cloudtrail.NewFromConfig(env.Config)
	eb := eventbridge.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	s3c := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	newTrailBucket(t, env, "trail-logs")
	newTrailBucket(t, env, "uploads")
	newTrailBucket(t, env, "other")
	q := newQueue(t, qc, "api-calls")
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("puts"),
		EventPattern: aws.String(`{"source":["aws.s3"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventSource":["s3.amazonaws.com"],"eventName":["PutObject"]}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("puts"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(queueARN("api-calls"))}}}); err != nil {
		t.Fatal(err)
	}
	put := func(bucket, key string) {
		t.Helper()
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}
	// A logging trail with the default selectors: management events
	// only, so PutObject sends nothing.
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("audit"), S3BucketName: aws.String("trail-logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("audit")}); err != nil {
		t.Fatal(err)
	}
	put("uploads", "before.txt")
	if _, err := ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("audit"),
		EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true),
			DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::uploads/"}}}}}}); err != nil {
		t.Fatal(err)
	}
	put("other", "not-selected.txt")
	put("uploads", "report.csv")

	m := receiveOne(t, qc, q)
	var ev struct {
		Source     string `json:"source"`
		DetailType string `json:"detail-type"`
		Detail     struct {
			EventSource       string         `json:"eventSource"`
			EventName         string         `json:"eventName"`
			EventCategory     string         `json:"eventCategory"`
			ManagementEvent   bool           `json:"managementEvent"`
			ReadOnly          bool           `json:"readOnly"`
			RequestParameters map[string]any `json:"requestParameters"`
			Resources         []struct {
				ARN  string `json:"ARN"`
				Type string `json:"type"`
			} `json:"resources"`
		} `json:"detail"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err != nil {
		t.Fatal(err)
	}
	d := ev.Detail
	if ev.Source != "aws.s3" || ev.DetailType != "AWS API Call via CloudTrail" || d.EventSource != "s3.amazonaws.com" ||
		d.EventName != "PutObject" || d.EventCategory != "Data" || d.ManagementEvent || d.ReadOnly ||
		d.RequestParameters["bucketName"] != "uploads" || d.RequestParameters["key"] != "report.csv" ||
		len(d.Resources) == 0 || d.Resources[0].ARN != "arn:aws:s3:::uploads/report.csv" {
		t.Errorf("event: %s", aws.ToString(m.Body))
	}
	// Nothing else came: neither the PutObject before the selector nor
	// the one to a bucket it does not take.
	out, err := qc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q, WaitTimeSeconds: 1})
	if err != nil || len(out.Messages) != 0 {
		t.Errorf("further messages: %+v %v", out.Messages, err)
	}

	// Once the trail stops logging, nothing is sent.
	if _, err := ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("audit")}); err != nil {
		t.Fatal(err)
	}
	put("uploads", "after-stop.txt")
	out, err = qc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q, WaitTimeSeconds: 1})
	if err != nil || len(out.Messages) != 0 {
		t.Errorf("messages after StopLogging: %+v %v", out.Messages, err)
	}
}

// TestCloudTrailStack deploys a logging trail with a data event
// selector through CloudFormation: Ref is its name, Arn and SnsTopicArn
// its attributes; deleting the stack deletes the trail.
func TestCloudTrailStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cfn.NewFromConfig(env.Config)
	ct := cloudtrail.NewFromConfig(env.Config)
	template := `{
  "Resources": {
    "Logs": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "stack-trail-logs"}},
    "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {
      "IsLogging": true, "S3BucketName": {"Ref": "Logs"}, "SnsTopicName": "trail-news",
      "EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": true,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::stack-trail-logs/"]}]}],
      "Tags": [{"Key": "team", "Value": "core"}]}}
  },
  "Outputs": {
    "Name": {"Value": {"Ref": "Trail"}},
    "Arn": {"Value": {"Fn::GetAtt": ["Trail", "Arn"]}},
    "Topic": {"Value": {"Fn::GetAtt": ["Trail", "SnsTopicArn"]}}
  }
}`
	created, err := cf.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("audit"), TemplateBody: aws.String(template)})
	if err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "audit")
	name := outs["Name"]
	if !strings.HasPrefix(name, "audit-Trail-") || outs["Arn"] != "arn:aws:cloudtrail:us-east-1:000000000000:trail/"+name ||
		outs["Topic"] != "arn:aws:sns:us-east-1:000000000000:trail-news" {
		t.Errorf("outputs: %v", outs)
	}
	st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(name)})
	if err != nil || !aws.ToBool(st.IsLogging) {
		t.Errorf("GetTrailStatus: %+v %v", st, err)
	}
	sels, err := ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(name)})
	if err != nil || len(sels.EventSelectors) != 1 || sels.EventSelectors[0].ReadWriteType != cttypes.ReadWriteTypeWriteOnly ||
		len(sels.EventSelectors[0].DataResources) != 1 {
		t.Errorf("GetEventSelectors: %+v %v", sels, err)
	}
	tags, err := ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{outs["Arn"]}})
	// The template's tag and CloudFormation's three aws:cloudformation: tags.
	if err != nil || len(tags.ResourceTagList) != 1 || len(tags.ResourceTagList[0].TagsList) != 4 {
		t.Errorf("ListTags: %+v %v", tags, err)
	}
	if _, err := cf.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("audit")}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, aws.ToString(created.StackId)); st.StackStatus != "DELETE_COMPLETE" {
		t.Fatalf("DeleteStack: %s", st.StackStatus)
	}
	_, err = ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(name)})
	wantTrailError(t, "trail after DeleteStack", err, "TrailNotFoundException", "")
}

// TestCLICloudTrailLookupEvents runs Debian's aws CLI, which sends the
// model's fully qualified target prefix, against the event history.
func TestCLICloudTrailLookupEvents(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	if res := env.CLI(t, "sqs", "create-queue", "--queue-name", "cli-trail"); res.ExitCode != 0 {
		t.Fatalf("create-queue: %s", res.Stderr)
	}
	var out struct {
		Events []struct {
			EventName, EventSource, Username, ReadOnly, CloudTrailEvent string
			Resources                                                   []struct{ ResourceType, ResourceName string }
		}
	}
	cliJSON(t, env.CLI(t, "cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=CreateQueue"), &out)
	if len(out.Events) != 1 || out.Events[0].EventSource != "sqs.amazonaws.com" || out.Events[0].Username != "root" ||
		out.Events[0].ReadOnly != "false" || !strings.Contains(out.Events[0].CloudTrailEvent, `"queueName":"cli-trail"`) {
		t.Errorf("lookup-events: %+v", out)
	}
	res := env.CLI(t, "cloudtrail", "get-trail", "--name", "missing")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "TrailNotFoundException") {
		t.Errorf("get-trail of a missing trail: exit %d, %s", res.ExitCode, res.Stderr)
	}
}

// TestCloudTrailLogFiles: a logging trail delivers what it takes as a
// gzipped {"Records":[...]} file under AWSLogs/ACCOUNT/CloudTrail/REGION/
// YYYY/MM/DD/ once five minutes have passed by virga's clock.
func TestCloudTrailLogFiles(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	ct := cloudtrail.NewFromConfig(env.Config)
	s3c := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	newTrailBucket(t, env, "trail-files")
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("files"), S3BucketName: aws.String("trail-files"),
		S3KeyPrefix: aws.String("audit")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("files")}); err != nil {
		t.Fatal(err)
	}
	newQueue(t, sqs.NewFromConfig(env.Config), "logged-queue")
	// LookupEvents writes what is queued, so the CreateQueue record is
	// waiting for the log file before the clock moves.
	if _, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(6 * time.Minute)
	day := env.Clock.Now().UTC().Format("2006/01/02")
	prefix := "audit/AWSLogs/000000000000/CloudTrail/us-east-1/" + day + "/000000000000_CloudTrail_us-east-1_"
	var key string
	for deadline := time.Now().Add(15 * time.Second); key == ""; time.Sleep(50 * time.Millisecond) {
		out, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("trail-files"), Prefix: aws.String("audit/AWSLogs/")})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			key = aws.ToString(o.Key)
		}
		if time.Now().After(deadline) {
			t.Fatal("no log file delivered")
		}
	}
	if !strings.HasPrefix(key, prefix) || !strings.HasSuffix(key, ".json.gz") {
		t.Errorf("log file key %s, want %s...json.gz", key, prefix)
	}
	obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("trail-files"), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	zr, err := gzip.NewReader(obj.Body)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Records []struct {
			EventName, EventSource string
			RequestParameters      map[string]any
		}
	}
	if err := json.NewDecoder(zr).Decode(&file); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range file.Records {
		if r.EventName == "CreateQueue" && r.EventSource == "sqs.amazonaws.com" && r.RequestParameters["queueName"] == "logged-queue" {
			found = true
		}
	}
	if !found {
		t.Errorf("no CreateQueue record in %+v", file.Records)
	}
	st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("files")})
	if err != nil || st.LatestDeliveryTime == nil || st.LatestDeliveryError != nil {
		t.Errorf("GetTrailStatus after a delivery: %+v %v", st, err)
	}
}

// TestCloudTrailEventBridgeManagement: with a logging trail's default
// selectors, a write call (CreateTable) reaches a rule on "AWS API Call
// via CloudTrail" from aws.dynamodb; a read-only one (DescribeTable)
// reaches only a rule in the ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
// state, and nothing is sent while no trail logs.
func TestCloudTrailEventBridgeManagement(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	ct := cloudtrail.NewFromConfig(env.Config)
	eb := eventbridge.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	ddb := dynamodb.NewFromConfig(env.Config)
	newTrailBucket(t, env, "trail-logs")
	q := newQueue(t, qc, "table-calls")
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("tables"),
		EventPattern: aws.String(`{"source":["aws.dynamodb"],"detail-type":["AWS API Call via CloudTrail"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("tables"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(queueARN("table-calls"))}}}); err != nil {
		t.Fatal(err)
	}
	// A rule in the ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS state
	// gets read-only management events too.
	reads := newQueue(t, qc, "table-reads")
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("reads"), State: ebtypes.RuleState("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"),
		EventPattern: aws.String(`{"source":["aws.dynamodb"],"detail":{"eventName":["DescribeTable"]}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("reads"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(queueARN("table-reads"))}}}); err != nil {
		t.Fatal(err)
	}
	create := func(name string) {
		t.Helper()
		_, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: ddbtypes.BillingModePayPerRequest,
			AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
			KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	create("before-trail")
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("audit"), S3BucketName: aws.String("trail-logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("audit")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("before-trail")}); err != nil {
		t.Fatal(err)
	}
	create("with-trail")
	m := receiveOne(t, qc, q)
	var ev struct {
		Source string `json:"source"`
		Detail struct {
			EventName         string         `json:"eventName"`
			ReadOnly          bool           `json:"readOnly"`
			RequestParameters map[string]any `json:"requestParameters"`
		} `json:"detail"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Source != "aws.dynamodb" || ev.Detail.EventName != "CreateTable" || ev.Detail.ReadOnly ||
		ev.Detail.RequestParameters["tableName"] != "with-trail" {
		t.Errorf("event: %s", aws.ToString(m.Body))
	}
	out, err := qc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q, WaitTimeSeconds: 1})
	if err != nil || len(out.Messages) != 0 {
		t.Errorf("further messages (the table before the trail, DescribeTable): %+v %v", out.Messages, err)
	}
	m = receiveOne(t, qc, reads)
	if !strings.Contains(aws.ToString(m.Body), `"eventName":"DescribeTable"`) || !strings.Contains(aws.ToString(m.Body), `"readOnly":true`) {
		t.Errorf("read-only event: %s", aws.ToString(m.Body))
	}
}

// TestCloudTrailIAMUser runs with IAM enforced: an IAM user's calls are
// recorded with an IAMUser identity and found by Username and
// AccessKeyId, its refused calls with AccessDenied; CloudTrail's own
// operations are authorized on the trail's ARN.
func TestCloudTrailIAMUser(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	trailARN := "arn:aws:cloudtrail:us-east-1:" + testAccount + ":trail/mine"
	cfg := iamUser(t, env, "ana", `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":"cloudtrail:LookupEvents","Resource":"*"},`+
		`{"Effect":"Allow","Action":"cloudtrail:GetTrail","Resource":"`+trailARN+`"},`+
		`{"Effect":"Allow","Action":"sqs:CreateQueue","Resource":"*"}]}`)
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ct := cloudtrail.NewFromConfig(cfg)
	newQueue(t, sqs.NewFromConfig(cfg), "anas-queue")
	_, err = ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("mine")})
	wantTrailError(t, "GetTrail of a trail ana may read", err, "TrailNotFoundException", "")
	_, err = ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("other")})
	wantTrailError(t, "GetTrail of another trail", err, "AccessDeniedException", "")

	out, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyUsername, AttributeValue: aws.String("ana")}}})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]string{}
	denied := 0
	for _, e := range out.Events {
		byName[aws.ToString(e.EventName)] = aws.ToString(e.CloudTrailEvent)
		if strings.Contains(aws.ToString(e.CloudTrailEvent), `"errorCode":"AccessDeniedException"`) {
			denied++
		}
		if aws.ToString(e.AccessKeyId) != creds.AccessKeyID {
			t.Errorf("%s: AccessKeyId %s, want %s", aws.ToString(e.EventName), aws.ToString(e.AccessKeyId), creds.AccessKeyID)
		}
	}
	var rec struct {
		UserIdentity struct{ Type, ARN, UserName, AccountID string } `json:"userIdentity"`
	}
	if err := json.Unmarshal([]byte(byName["CreateQueue"]), &rec); err != nil {
		t.Fatalf("CreateQueue's record: %v (events %v)", err, byName)
	}
	if rec.UserIdentity.Type != "IAMUser" || rec.UserIdentity.UserName != "ana" || rec.UserIdentity.ARN != "arn:aws:iam::"+testAccount+":user/ana" {
		t.Errorf("userIdentity: %+v", rec.UserIdentity)
	}
	if denied != 1 {
		t.Errorf("%d refused calls recorded, want GetTrail of another trail", denied)
	}
}
