package providers

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/ids"
)

func init() {
	resource.Register(&resource.Type{
		Name:     resource.CustomType,
		Required: []string{"ServiceToken"},
		Provider: customResource{},
		// No property replaces a custom resource by itself: its
		// provider does, by answering an Update with a new
		// PhysicalResourceId.
		Replace: []string{},
		Opaque:  true,
	})
}

// Custom resources' limits, from CloudFormation's documentation of the
// request and response objects.
const (
	// maxCustomResponse: "The total size of the response body can't
	// exceed 4096 bytes."
	maxCustomResponse = 4096
	// maxCustomPhysicalID: a PhysicalResourceId "can be up to 1 KB in
	// size".
	maxCustomPhysicalID = 1024
	// maxServiceTimeout, the default too: ServiceTimeout "must be an
	// integer from 1 to 3600. The default value is 3600 seconds (1
	// hour)."
	maxServiceTimeout = 3600
)

// customResource is AWS::CloudFormation::CustomResource, and every
// Custom::NAME type (resource.Lookup): CloudFormation hands the work to
// a provider named by the ServiceToken property and waits for its
// answer.
//
// Each Create, Update and Delete sends AWS's request object:
// RequestType, ServiceToken, ResponseURL, StackId, RequestId (a new
// UUID), ResourceType (the template's type), LogicalResourceId,
// ResourceProperties (the properties, ServiceToken included, with
// numbers and booleans as strings, as CloudFormation passes them), and
// for Update and Delete PhysicalResourceId, for Update
// OldResourceProperties. A Lambda function's ARN (qualified by a version
// or alias or not) is invoked asynchronously (InvocationType Event), an
// SNS topic's ARN gets the request published as its message; the
// resource's Create, Update or Delete fails at once if the service
// refuses.
//
// The provider answers by PUTting AWS's response object to the
// ResponseURL (ResponseURLs: a URL on virga's endpoint, which functions
// reach as they reach virga's API): Status SUCCESS or FAILED, Reason,
// PhysicalResourceId, StackId, RequestId and LogicalResourceId as the
// request gave them, and Data, whose keys Fn::GetAtt reads. A FAILED
// answer fails the operation with "Received response status [FAILED]
// from custom resource. Message returned: REASON"; a response over 4096
// bytes with "Response object is too long."; one whose
// PhysicalResourceId is empty or over 1 KB with "Invalid
// PhysicalResourceId". No answer within ServiceTimeout seconds (1 to
// 3600, 3600 by default) fails it with CloudFormation's "did not
// receive a response" message: a function that fails without answering
// holds the stack that long.
//
// A Create answered FAILED with a PhysicalResourceId leaves that ID, so
// that the stack's rollback sends a Delete for it, as CloudFormation
// does; a Create not answered in time, or whose wait the operation's
// cancellation ended (CancelUpdateStack, DeleteStack of a stack being
// created), leaves a made-up one for the same reason. An Update answered with another PhysicalResourceId replaced the
// resource: the engine sends a Delete for the old one in the update's
// cleanup. The ServiceToken cannot change.
//
// An answer with NoEcho true has the stack's outputs that read its Data
// shown as asterisks.
type customResource struct{}

func (customResource) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return customRequest(ctx, r, "Create")
}

func (customResource) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	if old := props(r.OldProperties).str("ServiceToken"); old != "" && old != props(r.Properties).str("ServiceToken") {
		return nil, resource.Refuse("Modifying service token is not allowed.")
	}
	return customRequest(ctx, r, "Update")
}

func (customResource) Delete(ctx context.Context, r *resource.Request) error {
	_, err := customRequest(ctx, r, "Delete")
	return err
}

// customRequest sends one request to the resource's provider and waits
// for its response.
func customRequest(ctx context.Context, r *resource.Request, kind string) (*resource.Result, error) {
	if r.Env == nil || r.Env.Responses == nil {
		return nil, errors.New("custom resources are not available: the engine has no response URLs")
	}
	p := props(r.Properties)
	token := p.str("ServiceToken")
	timeout, err := serviceTimeout(p["ServiceTimeout"])
	if err != nil {
		return nil, fmt.Errorf("Properties validation failed for resource %s with message: #/ServiceTimeout: %w", r.LogicalID, err)
	}
	path, answers, done := r.Env.Responses.Open(maxCustomResponse)
	defer done()
	req := customRequestObject{
		RequestType: kind, ServiceToken: token, ResponseURL: strings.TrimSuffix(r.Env.Endpoint, "/") + path,
		StackID: r.StackID, RequestID: ids.New(rand.Reader).UUID(), ResourceType: r.Type, LogicalResourceID: r.LogicalID,
		ResourceProperties: customValue(r.Properties),
	}
	if kind != "Create" {
		req.PhysicalResourceID = r.PhysicalID
	}
	if kind == "Update" {
		req.OldResourceProperties = customValue(r.OldProperties)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	if err := sendCustomRequest(ctx, r, token, body); err != nil {
		return nil, err
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-resource.Waits(ctx).Done():
		return unanswered(r, kind), resource.Waits(ctx).Err()
	case <-timer.C:
		return unanswered(r, kind), fmt.Errorf("CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [%s]. "+
			"If you are using the Python cfn-response module, you may need to update your Lambda function code so that CloudFormation can attach the updated version.", req.RequestID)
	case b := <-answers:
		resp, err := decodeCustomResponse(b, req)
		if err != nil {
			return nil, err
		}
		res := &resource.Result{PhysicalID: resp.PhysicalResourceID, Attributes: resp.Data, NoEcho: resp.NoEcho}
		if resp.Status == "FAILED" {
			err := fmt.Errorf("Received response status [FAILED] from custom resource. Message returned: %s", resp.Reason)
			if kind == "Create" {
				return res, err
			}
			return nil, err
		}
		return res, nil
	}
}

// unanswered is the result of a request its provider did not answer in
// time, or whose wait the operation's cancellation ended: for a Create,
// a physical ID CloudFormation makes up (STACK-LOGICALID-RANDOM), so that
// the rollback or the stack's deletion sends the provider a Delete for
// whatever it may have made, as AWS does after "Resource creation
// cancelled"; nothing for an Update or a Delete.
func unanswered(r *resource.Request, kind string) *resource.Result {
	if kind != "Create" {
		return nil
	}
	return &resource.Result{PhysicalID: physicalName(r, maxCustomPhysicalID)}
}

// customRequestObject is CloudFormation's request to a custom resource's
// provider.
type customRequestObject struct {
	RequestType           string `json:"RequestType"`
	ServiceToken          string `json:"ServiceToken"`
	ResponseURL           string `json:"ResponseURL"`
	StackID               string `json:"StackId"`
	RequestID             string `json:"RequestId"`
	LogicalResourceID     string `json:"LogicalResourceId"`
	PhysicalResourceID    string `json:"PhysicalResourceId,omitempty"`
	ResourceType          string `json:"ResourceType"`
	ResourceProperties    any    `json:"ResourceProperties"`
	OldResourceProperties any    `json:"OldResourceProperties,omitempty"`
}

// customResponse is a provider's response object, decoded and checked.
type customResponse struct {
	Status             string
	Reason             string
	PhysicalResourceID string
	NoEcho             bool
	Data               map[string]any
}

// decodeCustomResponse reads and checks the response object a provider
// PUT for req, failing as CloudFormation does on one it cannot use.
func decodeCustomResponse(b []byte, req customRequestObject) (*customResponse, error) {
	if len(b) > maxCustomResponse {
		return nil, errors.New("Response object is too long.")
	}
	var raw struct {
		Status             any `json:"Status"`
		Reason             any `json:"Reason"`
		PhysicalResourceID any `json:"PhysicalResourceId"`
		StackID            any `json:"StackId"`
		RequestID          any `json:"RequestId"`
		LogicalResourceID  any `json:"LogicalResourceId"`
		NoEcho             any `json:"NoEcho"`
		Data               any `json:"Data"`
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&raw); err != nil {
		return nil, errors.New("Invalid Response object: the response is not a JSON object")
	}
	status, _ := raw.Status.(string)
	if status != "SUCCESS" && status != "FAILED" {
		return nil, fmt.Errorf("Invalid Response object: '%s' is not a valid ResponseStatus", scalarText(raw.Status))
	}
	id, _ := raw.PhysicalResourceID.(string)
	if id == "" || len(id) > maxCustomPhysicalID {
		return nil, errors.New("Invalid PhysicalResourceId")
	}
	for _, f := range []struct {
		name      string
		got, want any
	}{{"StackId", raw.StackID, req.StackID}, {"RequestId", raw.RequestID, req.RequestID}, {"LogicalResourceId", raw.LogicalResourceID, req.LogicalResourceID}} {
		if got, _ := f.got.(string); got != f.want {
			return nil, fmt.Errorf("Invalid Response object: %s [%s] does not match the request's [%s]", f.name, scalarText(f.got), f.want)
		}
	}
	resp := &customResponse{Status: status, Reason: scalarText(raw.Reason), PhysicalResourceID: id, Data: map[string]any{}}
	switch v := raw.NoEcho.(type) {
	case bool:
		resp.NoEcho = v
	case string:
		resp.NoEcho, _ = strconv.ParseBool(v)
	}
	switch data := raw.Data.(type) {
	case nil:
	case map[string]any:
		// A member may be a list or an object too, which Fn::GetAtt
		// returns whole: the AWS CDK's BucketDeployment answers with
		// its SourceObjectKeys as a list, which its objectKeys reads.
		resp.Data = data
	default:
		return nil, errors.New("Value of property Data must be an object with String (or simple type) properties")
	}
	return resp, nil
}

// scalarText is a JSON value as text, for messages.
func scalarText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// customValue is v as CloudFormation passes properties to a custom
// resource's provider: objects and lists as they are, every scalar as a
// string (a template's 5 is "5", true is "true").
func customValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = customValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = customValue(e)
		}
		return out
	case nil, string:
		return x
	}
	return fmt.Sprint(v)
}

// serviceTimeout is how long a request waits for its response.
func serviceTimeout(v any) (time.Duration, error) {
	if v == nil {
		return maxServiceTimeout * time.Second, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(fmt.Sprint(v)))
	if err != nil || n < 1 || n > maxServiceTimeout {
		return 0, fmt.Errorf("%s is not an integer from 1 to %d", scalarText(v), maxServiceTimeout)
	}
	return time.Duration(n) * time.Second, nil
}

// sendCustomRequest hands the request to the provider the service token
// names: a Lambda function (invoked asynchronously) or an SNS topic.
func sendCustomRequest(ctx context.Context, r *resource.Request, token string, body []byte) error {
	parts := strings.SplitN(token, ":", 7)
	var err error
	switch {
	case len(parts) >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function":
		_, err = call(ctx, r, "lambda", "Invoke", map[string]any{"FunctionName": token, "InvocationType": "Event",
			"Payload": string(body)}) // a blob payload travels in process as its text
	case len(parts) == 6 && parts[0] == "arn" && parts[2] == "sns":
		_, err = call(ctx, r, "sns", "Publish", map[string]any{"TopicArn": token, "Message": string(body)})
	default:
		return fmt.Errorf("Invalid service token: %s is neither a Lambda function's ARN nor an SNS topic's", token)
	}
	if e := apierr.As(err); e != nil {
		// The provider's service's own words, without the resource
		// handler's framing: no resource handler is involved.
		return errors.New(e.Message)
	}
	return err
}
