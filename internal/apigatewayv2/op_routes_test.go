package apigatewayv2

import (
	"testing"
)

func TestHTTPAPIRoutes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.api(nil)
	integ := h.lambdaIntegration(api, testFn, "2.0")
	id := h.route(api, "GET /pets/{id}", integ)
	r := must(h.s.getRoute(h.ctx, &GetRouteRequest{ApiId: &api, RouteId: &id}))(t)
	if len(id) != 7 || *r.RouteKey != "GET /pets/{id}" || *r.Target != "integrations/"+integ ||
		*r.AuthorizationType != "NONE" || *r.ApiKeyRequired || r.ApiGatewayManaged != nil {
		t.Errorf("GetRoute = %+v", r)
	}
	for _, tc := range []struct {
		in        *CreateRouteRequest
		code, msg string
	}{
		{&CreateRouteRequest{RouteKey: ptr("GET /pets/{id}")}, "ConflictException", "Route with key GET /pets/{id} already exists"},
		{&CreateRouteRequest{RouteKey: ptr("GET /pets/{petId}/{petId}")}, "BadRequestException", "Invalid route key"},
		{&CreateRouteRequest{RouteKey: ptr("GET /x"), Target: ptr("integrations/nope")}, "NotFoundException", "Invalid Integration identifier specified nope"},
		{&CreateRouteRequest{RouteKey: ptr("GET /x"), Target: ptr("lambda")}, "BadRequestException", "Invalid target"},
		{&CreateRouteRequest{RouteKey: ptr("GET /x"), AuthorizationType: ptr(AuthorizationType("CUSTOM"))}, "BadRequestException", "authorizer id is required"},
		{&CreateRouteRequest{RouteKey: ptr("GET /x"), AuthorizationType: ptr(AuthorizationType("CUSTOM")), AuthorizerId: ptr("nope")}, "NotFoundException", "Invalid Authorizer identifier"},
		{&CreateRouteRequest{RouteKey: ptr("GET /x"), AuthorizationType: ptr(AuthorizationType("AWS_IAM")), AuthorizerId: ptr("abc")}, "BadRequestException", "only allowed"},
		{&CreateRouteRequest{RouteKey: ptr("GET /x"), AuthorizerId: ptr("abc")}, "BadRequestException", "only allowed"},
		{&CreateRouteRequest{RouteKey: ptr("GET /x"), AuthorizationScopes: []string{"read"}}, "BadRequestException", "scopes"},
	} {
		tc.in.ApiId = &api
		_, err := h.s.createRoute(h.ctx, tc.in)
		wantErr(t, err, tc.code, tc.msg)
	}
	// A REQUEST authorizer serves CUSTOM routes, not JWT ones.
	auth := *must(h.s.createAuthorizer(h.ctx, &CreateAuthorizerRequest{ApiId: &api, Name: ptr("a"),
		AuthorizerType: ptr(AuthorizerType("REQUEST")), AuthorizerUri: ptr(testAuthFn),
		AuthorizerPayloadFormatVersion: ptr("2.0"), IdentitySource: []string{"$request.header.Authorization"}}))(t).AuthorizerId
	_, err := h.s.createRoute(h.ctx, &CreateRouteRequest{ApiId: &api, RouteKey: ptr("GET /y"),
		AuthorizationType: ptr(AuthorizationType("JWT")), AuthorizerId: &auth})
	wantErr(t, err, "BadRequestException", "needs a JWT authorizer")

	up := must(h.s.updateRoute(h.ctx, &UpdateRouteRequest{ApiId: &api, RouteId: &id, RouteKey: ptr("ANY /pets/{id}"),
		AuthorizationType: ptr(AuthorizationType("CUSTOM")), AuthorizerId: &auth}))(t)
	if *up.RouteKey != "ANY /pets/{id}" || *up.AuthorizationType != "CUSTOM" || *up.AuthorizerId != auth || *up.Target != "integrations/"+integ {
		t.Errorf("UpdateRoute = %+v", up)
	}
	// Changing only the key keeps the authorizer.
	up = must(h.s.updateRoute(h.ctx, &UpdateRouteRequest{ApiId: &api, RouteId: &id, RouteKey: ptr("GET /pets/{id}")}))(t)
	if *up.AuthorizerId != auth {
		t.Errorf("UpdateRoute dropped the authorizer: %+v", up)
	}
	_, err = h.s.deleteAuthorizer(h.ctx, &DeleteAuthorizerRequest{ApiId: &api, AuthorizerId: &auth})
	wantErr(t, err, "ConflictException", "Cannot delete Authorizer because it is referenced by the following Routes with Ids: ["+id+"]")
	_, err = h.s.deleteIntegration(h.ctx, &DeleteIntegrationRequest{ApiId: &api, IntegrationId: &integ})
	wantErr(t, err, "ConflictException", "Cannot delete Integration because it is referenced by the following Routes with Ids: ["+id+"]")

	must(h.s.deleteRoute(h.ctx, &DeleteRouteRequest{ApiId: &api, RouteId: &id}))(t)
	_, err = h.s.getRoute(h.ctx, &GetRouteRequest{ApiId: &api, RouteId: &id})
	wantErr(t, err, "NotFoundException", "Invalid Route identifier specified "+id)
	must(h.s.deleteIntegration(h.ctx, &DeleteIntegrationRequest{ApiId: &api, IntegrationId: &integ}))(t)
	must(h.s.deleteAuthorizer(h.ctx, &DeleteAuthorizerRequest{ApiId: &api, AuthorizerId: &auth}))(t)
}

func TestHTTPAPIIntegrations(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.api(nil)
	invocation := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + testFn + "/invocations"
	out := must(h.s.createIntegration(h.ctx, &CreateIntegrationRequest{ApiId: &api, IntegrationType: ptr(IntegrationType("AWS_PROXY")),
		IntegrationUri: &invocation, PayloadFormatVersion: ptr("1.0"), TimeoutInMillis: ptr(int32(5000)), Description: ptr("d")}))(t)
	if *out.IntegrationMethod != "POST" || *out.TimeoutInMillis != 5000 || *out.ConnectionType != "INTERNET" ||
		*out.IntegrationUri != invocation || *out.Description != "d" || *out.PayloadFormatVersion != "1.0" {
		t.Errorf("CreateIntegration = %+v", out)
	}
	up := must(h.s.updateIntegration(h.ctx, &UpdateIntegrationRequest{ApiId: &api, IntegrationId: out.IntegrationId,
		PayloadFormatVersion: ptr("2.0"), TimeoutInMillis: ptr(int32(30000))}))(t)
	if *up.PayloadFormatVersion != "2.0" || *up.TimeoutInMillis != 30000 || *up.IntegrationUri != invocation {
		t.Errorf("UpdateIntegration = %+v", up)
	}
	proxy := must(h.s.createIntegration(h.ctx, &CreateIntegrationRequest{ApiId: &api, IntegrationType: ptr(IntegrationType("HTTP_PROXY")),
		IntegrationUri: ptr("https://example.com/{proxy}"), IntegrationMethod: ptr("ANY")}))(t)
	if *proxy.PayloadFormatVersion != "1.0" {
		t.Errorf("HTTP_PROXY payload format version = %s, want 1.0", *proxy.PayloadFormatVersion)
	}
	for _, tc := range []struct {
		in        *CreateIntegrationRequest
		code, msg string
	}{
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("AWS_PROXY")), IntegrationUri: ptr(testFn)}, "BadRequestException", "PayloadFormatVersion is required"},
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("AWS_PROXY")), PayloadFormatVersion: ptr("2.0")}, "BadRequestException", "IntegrationUri is required"},
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("AWS_PROXY")), IntegrationUri: ptr("arn:aws:sqs:us-east-1:000000000000:q"), PayloadFormatVersion: ptr("2.0")}, "BadRequestException", "Invalid IntegrationUri"},
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("AWS_PROXY")), IntegrationUri: ptr(testFn), PayloadFormatVersion: ptr("3.0")}, "BadRequestException", "Invalid PayloadFormatVersion"},
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("HTTP_PROXY")), IntegrationUri: ptr("https://example.com")}, "BadRequestException", "IntegrationMethod is required"},
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("HTTP_PROXY")), IntegrationUri: ptr("ftp://example.com"), IntegrationMethod: ptr("GET")}, "BadRequestException", "http or https"},
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("MOCK"))}, "BadRequestException", "WebSocket"},
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("AWS_PROXY")), IntegrationSubtype: ptr("SQS-SendMessage")}, "BadRequestException", "Parameter QueueUrl is required for IntegrationSubtype SQS-SendMessage."},
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("AWS_PROXY")), IntegrationSubtype: ptr("SQS-SendMessage"),
			RequestParameters: map[string]string{"QueueUrl": "q", "MessageBody": "b", "Color": "red"}}, "BadRequestException", "Invalid request parameter Color"},
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("AWS_PROXY")), IntegrationSubtype: ptr("Kinesis-PutRecord"),
			RequestParameters: map[string]string{"StreamName": "x"}}, "BadRequestException", "Parameter Data is required for IntegrationSubtype Kinesis-PutRecord."},
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("AWS_PROXY")), IntegrationSubtype: ptr("AppConfig-GetConfiguration"),
			RequestParameters: map[string]string{"Application": "x"}}, "NotImplementedException", "AppConfig-GetConfiguration"},
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("HTTP_PROXY")), IntegrationUri: ptr("https://example.com"), IntegrationMethod: ptr("GET"), ConnectionType: ptr(ConnectionType("VPC_LINK"))}, "BadRequestException", "ConnectionId is required"},
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("HTTP_PROXY")), IntegrationUri: ptr("https://example.com"), IntegrationMethod: ptr("GET"), ConnectionType: ptr(ConnectionType("VPC_LINK")), ConnectionId: ptr("abc123")}, "BadRequestException", "Invalid IntegrationUri https://example.com"},
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("HTTP_PROXY")), IntegrationUri: ptr(testListener), IntegrationMethod: ptr("GET"), ConnectionType: ptr(ConnectionType("VPC_LINK")), ConnectionId: ptr("abc123")}, "NotFoundException", "Invalid VpcLink identifier specified abc123"},
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("HTTP_PROXY")), IntegrationUri: ptr("arn:aws:servicediscovery:us-east-1:000000000000:service/srv-1"), IntegrationMethod: ptr("GET"), ConnectionType: ptr(ConnectionType("VPC_LINK")), ConnectionId: ptr("abc123")}, "NotImplementedException", "Cloud Map"},
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("AWS_PROXY")), IntegrationUri: ptr(testFn), PayloadFormatVersion: ptr("2.0"), ConnectionType: ptr(ConnectionType("VPC_LINK")), ConnectionId: ptr("abc123")}, "BadRequestException", "HTTP_PROXY only"},
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("HTTP_PROXY")), IntegrationUri: ptr("https://example.com"), IntegrationMethod: ptr("GET"), RequestParameters: map[string]string{"rename:header.x": "y"}}, "BadRequestException", "Invalid mapping expression specified: rename:header.x"},
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("HTTP_PROXY")), IntegrationUri: ptr("https://example.com"), IntegrationMethod: ptr("GET"), ResponseParameters: map[string]map[string]string{"200": {"overwrite:body": "x"}}}, "BadRequestException", "Invalid mapping expression specified: overwrite:body"},
		{&CreateIntegrationRequest{IntegrationType: ptr(IntegrationType("AWS_PROXY")), IntegrationUri: ptr(testFn), PayloadFormatVersion: ptr("2.0"), RequestParameters: map[string]string{"append:header.x": "y"}}, "NotImplementedException", "Lambda proxy"},
	} {
		tc.in.ApiId = &api
		_, err := h.s.createIntegration(h.ctx, tc.in)
		wantErr(t, err, tc.code, tc.msg)
	}
	_, err := h.s.getIntegration(h.ctx, &GetIntegrationRequest{ApiId: &api, IntegrationId: ptr("nope")})
	wantErr(t, err, "NotFoundException", "Invalid Integration identifier specified nope")
}

func TestHTTPAPIAuthorizers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.api(nil)
	out := must(h.s.createAuthorizer(h.ctx, &CreateAuthorizerRequest{ApiId: &api, Name: ptr("lambda"),
		AuthorizerType: ptr(AuthorizerType("REQUEST")), AuthorizerUri: ptr(testAuthFn), AuthorizerPayloadFormatVersion: ptr("2.0"),
		EnableSimpleResponses: ptr(true), AuthorizerResultTtlInSeconds: ptr(int32(300)),
		IdentitySource: []string{"$request.header.Authorization", "$context.routeKey"}}))(t)
	if *out.AuthorizerType != "REQUEST" || !*out.EnableSimpleResponses || *out.AuthorizerResultTtlInSeconds != 300 ||
		len(out.IdentitySource) != 2 || len(*out.AuthorizerId) != 6 {
		t.Errorf("CreateAuthorizer = %+v", out)
	}
	jwt := must(h.s.createAuthorizer(h.ctx, &CreateAuthorizerRequest{ApiId: &api, Name: ptr("jwt"),
		AuthorizerType: ptr(AuthorizerType("JWT")), IdentitySource: []string{"$request.header.Authorization"},
		JwtConfiguration: &JWTConfiguration{Issuer: ptr("https://issuer.example"), Audience: []string{"aud"}}}))(t)
	if *jwt.JwtConfiguration.Issuer != "https://issuer.example" || jwt.EnableSimpleResponses != nil {
		t.Errorf("CreateAuthorizer JWT = %+v", jwt)
	}
	lambda := func(mod func(*CreateAuthorizerRequest)) *CreateAuthorizerRequest {
		in := &CreateAuthorizerRequest{ApiId: &api, Name: ptr("x"), AuthorizerType: ptr(AuthorizerType("REQUEST")),
			AuthorizerUri: ptr(testAuthFn), AuthorizerPayloadFormatVersion: ptr("2.0"), IdentitySource: []string{"$request.header.A"}}
		mod(in)
		return in
	}
	for _, tc := range []struct {
		in        *CreateAuthorizerRequest
		code, msg string
	}{
		{lambda(func(in *CreateAuthorizerRequest) { in.AuthorizerUri = nil }), "BadRequestException", "AuthorizerUri is required"},
		{lambda(func(in *CreateAuthorizerRequest) { in.AuthorizerPayloadFormatVersion = nil }), "BadRequestException", "AuthorizerPayloadFormatVersion is required"},
		{lambda(func(in *CreateAuthorizerRequest) {
			in.AuthorizerPayloadFormatVersion, in.EnableSimpleResponses = ptr("1.0"), ptr(true)
		}), "BadRequestException", "Simple responses"},
		{lambda(func(in *CreateAuthorizerRequest) {
			in.IdentitySource, in.AuthorizerResultTtlInSeconds = nil, ptr(int32(60))
		}), "BadRequestException", "identity source"},
		{lambda(func(in *CreateAuthorizerRequest) { in.IdentitySource = []string{"header.Authorization"} }), "BadRequestException", "Invalid identity source"},
		{&CreateAuthorizerRequest{ApiId: &api, Name: ptr("j"), AuthorizerType: ptr(AuthorizerType("JWT")), IdentitySource: []string{"$request.header.Authorization"}}, "BadRequestException", "JwtConfiguration"},
	} {
		_, err := h.s.createAuthorizer(h.ctx, tc.in)
		wantErr(t, err, tc.code, tc.msg)
	}
	up := must(h.s.updateAuthorizer(h.ctx, &UpdateAuthorizerRequest{ApiId: &api, AuthorizerId: out.AuthorizerId,
		AuthorizerResultTtlInSeconds: ptr(int32(0)), Name: ptr("renamed")}))(t)
	if *up.AuthorizerResultTtlInSeconds != 0 || *up.Name != "renamed" || *up.AuthorizerUri != testAuthFn {
		t.Errorf("UpdateAuthorizer = %+v", up)
	}
	if n := len(must(h.s.getAuthorizers(h.ctx, &GetAuthorizersRequest{ApiId: &api}))(t).Items); n != 2 {
		t.Errorf("GetAuthorizers: %d authorizers", n)
	}
}

func TestHTTPAPITags(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.quickAPI("")
	arn := "arn:aws:apigateway:us-east-1::/apis/" + api
	must(h.s.tagResource(h.ctx, &TagResourceRequest{ResourceArn: &arn, Tags: map[string]string{"a": "1", "b": "2"}}))(t)
	must(h.s.untagResource(h.ctx, &UntagResourceRequest{ResourceArn: &arn, TagKeys: []string{"a"}}))(t)
	if tags := must(h.s.getTags(h.ctx, &GetTagsRequest{ResourceArn: &arn}))(t).Tags; len(tags) != 1 || tags["b"] != "2" {
		t.Errorf("GetTags = %v", tags)
	}
	stage := arn + "/stages/$default"
	must(h.s.tagResource(h.ctx, &TagResourceRequest{ResourceArn: &stage, Tags: map[string]string{"s": "x"}}))(t)
	if st := must(h.s.getStage(h.ctx, &GetStageRequest{ApiId: &api, StageName: ptr("$default")}))(t); st.Tags["s"] != "x" {
		t.Errorf("stage tags = %v", st.Tags)
	}
	_, err := h.s.getTags(h.ctx, &GetTagsRequest{ResourceArn: ptr("arn:aws:apigateway:us-east-1::/apis/nope")})
	wantErr(t, err, "NotFoundException", "Invalid API identifier")
	_, err = h.s.getTags(h.ctx, &GetTagsRequest{ResourceArn: ptr("arn:aws:sqs:us-east-1:000000000000:q")})
	wantErr(t, err, "BadRequestException", "Invalid resource ARN")
}
