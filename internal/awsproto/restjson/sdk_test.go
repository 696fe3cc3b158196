package restjson

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
)

// A few Lambda operations with their real bindings, enough to check that
// aws-sdk-go-v2's Lambda client reads what restjson writes and writes
// what it reads.

type lambdaEnvironment struct {
	Variables map[string]string
}

type functionConfiguration struct {
	FunctionName  *string
	FunctionArn   *string
	Runtime       *string
	MemorySize    *int32
	Timeout       *int32
	Version       *string
	Environment   *lambdaEnvironment
	Architectures []string
}

type getFunctionConfigurationInput struct {
	FunctionName *string `aws:"loc=uri,locname=FunctionName,required,min=1,max=170"`
	Qualifier    *string `aws:"loc=query,locname=Qualifier"`
}

type invokeInput struct {
	FunctionName   *string `aws:"loc=uri,locname=FunctionName,required"`
	InvocationType *string `aws:"loc=header,locname=X-Amz-Invocation-Type"`
	LogType        *string `aws:"loc=header,locname=X-Amz-Log-Type"`
	ClientContext  *string `aws:"loc=header,locname=X-Amz-Client-Context"`
	Qualifier      *string `aws:"loc=query,locname=Qualifier"`
	Payload        []byte  `aws:"loc=payload"`
}

type invokeOutput struct {
	StatusCode      *int32  `aws:"loc=status"`
	FunctionError   *string `aws:"loc=header,locname=X-Amz-Function-Error"`
	LogResult       *string `aws:"loc=header,locname=X-Amz-Log-Result"`
	ExecutedVersion *string `aws:"loc=header,locname=X-Amz-Executed-Version"`
	Payload         []byte  `aws:"loc=payload"`
}

type listFunctionsInput struct {
	Marker   *string `aws:"loc=query,locname=Marker"`
	MaxItems *int32  `aws:"loc=query,locname=MaxItems"`
}

type listFunctionsOutput struct {
	Functions  []functionConfiguration
	NextMarker *string
}

type tagResourceInput struct {
	Resource *string           `aws:"loc=uri,locname=ARN,required"`
	Tags     map[string]string `aws:"required"`
}

type listTagsInput struct {
	Resource *string `aws:"loc=uri,locname=ARN,required"`
}

type listTagsOutput struct {
	Tags map[string]string
}

type deleteFunctionInput struct {
	FunctionName *string `aws:"loc=uri,locname=FunctionName,required"`
}

type tooManyRequests struct {
	RetryAfterSeconds *string `aws:"loc=header,locname=Retry-After"`
	Reason            *string
}

var (
	errFunctionNotFound = apierr.New("ResourceNotFoundException", 404, "")
	errTooManyRequests  = apierr.New("TooManyRequestsException", 429, "Rate Exceeded.")
)

// fakeLambda keeps functions and tags in memory.
type fakeLambda struct {
	mu   sync.Mutex
	fns  map[string]functionConfiguration
	tags map[string]map[string]string
	seen []string // what Invoke received, for the test to check
}

func (l *fakeLambda) service() *awsproto.Service {
	return (&awsproto.Service{
		Name:     "lambda",
		Protocol: New(WithErrorStyle(LambdaErrors)),
		Operations: []awsproto.Operation{
			{Name: "GetFunctionConfiguration", HTTP: "GET /2015-03-31/functions/{FunctionName}/configuration",
				Handler: awsproto.Handle(l.getFunctionConfiguration)},
			{Name: "Invoke", HTTP: "POST /2015-03-31/functions/{FunctionName}/invocations",
				Handler: awsproto.Handle(l.invoke)},
			{Name: "ListFunctions", HTTP: "GET /2015-03-31/functions/",
				Handler: awsproto.Handle(l.listFunctions)},
			{Name: "TagResource", HTTP: "POST /2017-03-31/tags/{ARN}", Status: 204,
				Handler: awsproto.Handle(l.tagResource)},
			{Name: "ListTags", HTTP: "GET /2017-03-31/tags/{ARN}",
				Handler: awsproto.Handle(l.listTags)},
			{Name: "DeleteFunction", HTTP: "DELETE /2015-03-31/functions/{FunctionName}", Status: 204,
				Handler: awsproto.Handle(l.deleteFunction)},
		},
	}).Init()
}

func (l *fakeLambda) getFunctionConfiguration(_ context.Context, in *getFunctionConfigurationInput) (*functionConfiguration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fn, ok := l.fns[*in.FunctionName]
	if !ok {
		return nil, errFunctionNotFound.Withf("Function not found: arn:aws:lambda:us-east-1:000000000000:function:%s", *in.FunctionName)
	}
	if in.Qualifier != nil {
		fn.Version = in.Qualifier
	}
	return &fn, nil
}

func (l *fakeLambda) invoke(_ context.Context, in *invokeInput) (*invokeOutput, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if *in.FunctionName == "throttled" {
		return nil, errTooManyRequests.WithDetails(&tooManyRequests{RetryAfterSeconds: ptr("7"), Reason: ptr("ConcurrentInvocationLimitExceeded")})
	}
	l.seen = append(l.seen, *in.FunctionName, deref(in.InvocationType), deref(in.LogType), deref(in.ClientContext), deref(in.Qualifier), string(in.Payload))
	if deref(in.InvocationType) == "Event" {
		return &invokeOutput{StatusCode: ptr[int32](202)}, nil
	}
	return &invokeOutput{
		FunctionError:   ptr("Unhandled"),
		LogResult:       ptr("bG9ncw=="),
		ExecutedVersion: ptr("$LATEST"),
		Payload:         append([]byte(`{"echo":`), append(in.Payload, '}')...),
	}, nil
}

func (l *fakeLambda) listFunctions(_ context.Context, in *listFunctionsInput) (*listFunctionsOutput, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := &listFunctionsOutput{Functions: []functionConfiguration{}}
	for _, fn := range l.fns {
		out.Functions = append(out.Functions, fn)
	}
	if in.MaxItems != nil && *in.MaxItems == 1 {
		out.NextMarker = ptr("next")
	}
	return out, nil
}

func (l *fakeLambda) tagResource(_ context.Context, in *tagResourceInput) (*struct{}, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tags[*in.Resource] = in.Tags
	return nil, nil
}

func (l *fakeLambda) listTags(_ context.Context, in *listTagsInput) (*listTagsOutput, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return &listTagsOutput{Tags: l.tags[*in.Resource]}, nil
}

func (l *fakeLambda) deleteFunction(_ context.Context, in *deleteFunctionInput) (*struct{}, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.fns[*in.FunctionName]; !ok {
		return nil, errFunctionNotFound.Withf("Function not found: %s", *in.FunctionName)
	}
	delete(l.fns, *in.FunctionName)
	return nil, nil
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// handler serves svc as the edge would: read the body, start a call.
func handler(svc *awsproto.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		c := awsproto.NewCall(r, "11111111-2222-3333-4444-555555555555", time.Now())
		c.Body = body
		svc.Serve(c, w)
	})
}

func TestLambdaSDK(t *testing.T) {
	t.Parallel()
	fake := &fakeLambda{
		fns: map[string]functionConfiguration{
			"hello": {FunctionName: ptr("hello"), FunctionArn: ptr("arn:aws:lambda:us-east-1:000000000000:function:hello"),
				Runtime: ptr("python3.12"), MemorySize: ptr[int32](256), Timeout: ptr[int32](3), Version: ptr("$LATEST"),
				Environment: &lambdaEnvironment{Variables: map[string]string{"A": "1"}}, Architectures: []string{"arm64"}},
		},
		tags: map[string]map[string]string{},
	}
	srv := httptest.NewServer(handler(fake.service()))
	t.Cleanup(srv.Close)
	client := lambda.New(lambda.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:       srv.Client(),
		RetryMaxAttempts: 1,
	})
	ctx := context.Background()

	t.Run("GetFunctionConfiguration", func(t *testing.T) {
		out, err := client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{
			FunctionName: aws.String("hello"), Qualifier: aws.String("7")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.FunctionName) != "hello" || out.Runtime != types.RuntimePython312 || aws.ToInt32(out.MemorySize) != 256 ||
			aws.ToString(out.Version) != "7" || out.Environment.Variables["A"] != "1" || len(out.Architectures) != 1 ||
			out.Architectures[0] != types.ArchitectureArm64 {
			t.Errorf("decoded %+v", out)
		}
	})

	t.Run("not found", func(t *testing.T) {
		_, err := client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("nope")})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Fatalf("err = %T %v, want ResourceNotFoundException", err, err)
		}
		if aws.ToString(nf.Type) != "User" || !strings.Contains(aws.ToString(nf.Message), "function:nope") {
			t.Errorf("Type %q, Message %q", aws.ToString(nf.Type), aws.ToString(nf.Message))
		}
		var api smithy.APIError
		if !errors.As(err, &api) || api.ErrorCode() != "ResourceNotFoundException" || api.ErrorFault() != smithy.FaultClient {
			t.Errorf("APIError = %v", api)
		}
	})

	t.Run("validation", func(t *testing.T) {
		long := strings.Repeat("x", 171)
		_, err := client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(long)})
		var api smithy.APIError
		if !errors.As(err, &api) || api.ErrorCode() != "ValidationException" ||
			!strings.Contains(api.ErrorMessage(), "Member must have length less than or equal to 170") {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("Invoke", func(t *testing.T) {
		out, err := client.Invoke(ctx, &lambda.InvokeInput{
			FunctionName:  aws.String("arn:aws:lambda:us-east-1:000000000000:function:hello"),
			Qualifier:     aws.String("$LATEST"),
			LogType:       types.LogTypeTail,
			ClientContext: aws.String("eyJhIjoxfQ=="),
			Payload:       []byte(`{"x":[1,2]}`),
		})
		if err != nil {
			t.Fatal(err)
		}
		if out.StatusCode != 200 || aws.ToString(out.FunctionError) != "Unhandled" || aws.ToString(out.LogResult) != "bG9ncw==" ||
			aws.ToString(out.ExecutedVersion) != "$LATEST" || string(out.Payload) != `{"echo":{"x":[1,2]}}` {
			t.Errorf("decoded %+v (payload %s)", out, out.Payload)
		}
		fake.mu.Lock()
		seen := strings.Join(fake.seen, "|")
		fake.mu.Unlock()
		want := "arn:aws:lambda:us-east-1:000000000000:function:hello|<nil>|Tail|eyJhIjoxfQ==|$LATEST|" + `{"x":[1,2]}`
		if !strings.Contains(seen, want) {
			t.Errorf("Invoke received %q, want %q", seen, want)
		}

		ev, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("hello"), InvocationType: types.InvocationTypeEvent})
		if err != nil || ev.StatusCode != 202 || len(ev.Payload) != 0 {
			t.Errorf("async invoke: %+v, %v", ev, err)
		}
	})

	t.Run("error details and headers", func(t *testing.T) {
		_, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("throttled")})
		var tm *types.TooManyRequestsException
		if !errors.As(err, &tm) {
			t.Fatalf("err = %T %v, want TooManyRequestsException", err, err)
		}
		if aws.ToString(tm.RetryAfterSeconds) != "7" || tm.Reason != types.ThrottleReasonConcurrentInvocationLimitExceeded ||
			aws.ToString(tm.Message) != "Rate Exceeded." || aws.ToString(tm.Type) != "User" {
			t.Errorf("decoded %+v", tm)
		}
	})

	t.Run("ListFunctions", func(t *testing.T) {
		out, err := client.ListFunctions(ctx, &lambda.ListFunctionsInput{MaxItems: aws.Int32(1)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Functions) != 1 || aws.ToString(out.NextMarker) != "next" {
			t.Errorf("decoded %+v", out)
		}
	})

	t.Run("tags with an ARN label", func(t *testing.T) {
		arn := "arn:aws:lambda:us-east-1:000000000000:function:hello"
		if _, err := client.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(arn),
			Tags: map[string]string{"team": "a/b c", "env": "dev"}}); err != nil {
			t.Fatal(err)
		}
		out, err := client.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Tags) != 2 || out.Tags["team"] != "a/b c" {
			t.Errorf("tags %v", out.Tags)
		}
	})

	t.Run("DeleteFunction", func(t *testing.T) {
		if _, err := client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("hello")}); err != nil {
			t.Fatal(err)
		}
		_, err := client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("hello")})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Errorf("second delete: %v", err)
		}
	})

	t.Run("unknown operation", func(t *testing.T) {
		// An operation the service does not have reaches the router.
		_, err := client.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("hello")})
		var api smithy.APIError
		if !errors.As(err, &api) || api.ErrorCode() != "UnknownOperationException" {
			t.Errorf("err = %v", err)
		}
	})
}
