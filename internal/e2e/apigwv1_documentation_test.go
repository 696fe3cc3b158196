package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/virga/virga/internal/e2e"
)

// TestAPIGWv1Documentation documents an API's method and its API with
// parts, lists and changes them, and names the documentation with a
// version that a stage shows.
func TestAPIGWv1Documentation(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := apigateway.NewFromConfig(env.Config)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("documented")})
	if err != nil {
		t.Fatal(err)
	}
	method, err := c.CreateDocumentationPart(ctx, &apigateway.CreateDocumentationPartInput{RestApiId: api.Id,
		Location:   &agtypes.DocumentationPartLocation{Type: agtypes.DocumentationPartTypeMethod, Path: aws.String("/pets"), Method: aws.String("GET")},
		Properties: aws.String(`{"summary": "lists pets"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(method.Location.Path) != "/pets" || aws.ToString(method.Location.Method) != "GET" || aws.ToString(method.Properties) != `{"summary": "lists pets"}` {
		t.Fatalf("CreateDocumentationPart: %s", apigwv1JSON(method))
	}
	_, err = c.CreateDocumentationPart(ctx, &apigateway.CreateDocumentationPartInput{RestApiId: api.Id,
		Location:   &agtypes.DocumentationPartLocation{Type: agtypes.DocumentationPartTypeMethod, Path: aws.String("/pets"), Method: aws.String("GET")},
		Properties: aws.String(`{"summary": "again"}`)})
	expectAPIError(t, err, "ConflictException", 409)
	for _, bad := range []struct {
		loc   agtypes.DocumentationPartLocation
		props string
	}{
		{agtypes.DocumentationPartLocation{Type: agtypes.DocumentationPartTypeApi, Path: aws.String("/pets")}, `{}`},
		{agtypes.DocumentationPartLocation{Type: agtypes.DocumentationPartTypeModel}, `{}`},
		{agtypes.DocumentationPartLocation{Type: agtypes.DocumentationPartTypeApi}, `"text"`},
	} {
		_, err := c.CreateDocumentationPart(ctx, &apigateway.CreateDocumentationPartInput{RestApiId: api.Id, Location: &bad.loc, Properties: &bad.props})
		expectAPIError(t, err, "BadRequestException", 400)
	}
	whole, err := c.CreateDocumentationPart(ctx, &apigateway.CreateDocumentationPartInput{RestApiId: api.Id,
		Location: &agtypes.DocumentationPartLocation{Type: agtypes.DocumentationPartTypeApi}, Properties: aws.String(`{"info": {"description": "pets"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	parts, err := c.GetDocumentationParts(ctx, &apigateway.GetDocumentationPartsInput{RestApiId: api.Id, Type: agtypes.DocumentationPartTypeMethod})
	if err != nil || len(parts.Items) != 1 || aws.ToString(parts.Items[0].Id) != aws.ToString(method.Id) {
		t.Fatalf("GetDocumentationParts of type METHOD: %v %v", parts, err)
	}
	up, err := c.UpdateDocumentationPart(ctx, &apigateway.UpdateDocumentationPartInput{RestApiId: api.Id, DocumentationPartId: whole.Id,
		PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/properties"), Value: aws.String(`{"info": {"version": "2"}}`)}}})
	if err != nil || aws.ToString(up.Properties) != `{"info": {"version": "2"}}` {
		t.Fatalf("UpdateDocumentationPart: %v %v", up, err)
	}

	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"),
		Type: agtypes.IntegrationTypeMock}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	v, err := c.CreateDocumentationVersion(ctx, &apigateway.CreateDocumentationVersionInput{RestApiId: api.Id, DocumentationVersion: aws.String("1.0"),
		StageName: aws.String("prod"), Description: aws.String("first")})
	if err != nil || aws.ToString(v.Version) != "1.0" || v.CreatedDate == nil {
		t.Fatalf("CreateDocumentationVersion: %v %v", v, err)
	}
	_, err = c.CreateDocumentationVersion(ctx, &apigateway.CreateDocumentationVersionInput{RestApiId: api.Id, DocumentationVersion: aws.String("1.0")})
	expectAPIError(t, err, "ConflictException", 409)
	if st, err := c.GetStage(ctx, &apigateway.GetStageInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil || aws.ToString(st.DocumentationVersion) != "1.0" {
		t.Fatalf("GetStage: %v %v", st, err)
	}
	if _, err := c.DeleteDocumentationVersion(ctx, &apigateway.DeleteDocumentationVersionInput{RestApiId: api.Id, DocumentationVersion: aws.String("1.0")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteDocumentationPart(ctx, &apigateway.DeleteDocumentationPartInput{RestApiId: api.Id, DocumentationPartId: method.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetDocumentationPart(ctx, &apigateway.GetDocumentationPartInput{RestApiId: api.Id, DocumentationPartId: method.Id})
	expectAPIError(t, err, "NotFoundException", 404)
}

// documentationStack documents a REST API with a part, whose properties
// are an object, and a version.
const documentationStack = `Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: documented
  Part:
    Type: AWS::ApiGateway::DocumentationPart
    Properties:
      RestApiId: !Ref Api
      Location:
        Type: RESOURCE
        Path: /pets
      Properties:
        description: SUMMARY
  Version:
    Type: AWS::ApiGateway::DocumentationVersion
    DependsOn: Part
    Properties:
      RestApiId: !Ref Api
      DocumentationVersion: v1
      Description: SUMMARY
Outputs:
  ApiId:
    Value: !Ref Api
  Part:
    Value: !Ref Part
  PartId:
    Value: !GetAtt Part.DocumentationPartId
  Version:
    Value: !Ref Version
`

// TestAPIGWv1DocumentationStack deploys the stack and changes the part's
// properties and the version's description in place.
func TestAPIGWv1DocumentationStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	c := apigateway.NewFromConfig(env.Config)
	template := func(s string) string { return strings.ReplaceAll(documentationStack, "SUMMARY", s) }
	deployStack(t, cf, "docs", template("pets"), false)
	outs := createdStackOutputs(t, cf, "docs")
	if outs["Version"] != "v1" || outs["Part"] == "" || outs["Part"] != outs["PartId"] {
		t.Fatalf("outputs %v", outs)
	}
	part, err := c.GetDocumentationPart(ctx, &apigateway.GetDocumentationPartInput{RestApiId: aws.String(outs["ApiId"]), DocumentationPartId: aws.String(outs["Part"])})
	if err != nil || aws.ToString(part.Properties) != `{"description":"pets"}` || part.Location.Type != agtypes.DocumentationPartTypeResource {
		t.Fatalf("GetDocumentationPart: %s %v", apigwv1JSON(part), err)
	}
	deployStack(t, cf, "docs", template("all the pets"), true)
	part, err = c.GetDocumentationPart(ctx, &apigateway.GetDocumentationPartInput{RestApiId: aws.String(outs["ApiId"]), DocumentationPartId: aws.String(outs["Part"])})
	if err != nil || aws.ToString(part.Properties) != `{"description":"all the pets"}` {
		t.Fatalf("GetDocumentationPart after the update: %s %v", apigwv1JSON(part), err)
	}
	v, err := c.GetDocumentationVersion(ctx, &apigateway.GetDocumentationVersionInput{RestApiId: aws.String(outs["ApiId"]), DocumentationVersion: aws.String("v1")})
	if err != nil || aws.ToString(v.Description) != "all the pets" {
		t.Fatalf("GetDocumentationVersion after the update: %v %v", v, err)
	}
}
