package e2e_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/virga/virga/internal/e2e"
)

// TestRoute53SAMDomain: a SAM API's Domain.Route53 makes the domain's
// A and AAAA alias records in the zone, aliasing the domain's regional
// name, as SAM's translator writes them.
func TestRoute53SAMDomain(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	tpl := `Transform: AWS::Serverless-2016-10-31
Resources:
  Zone:
    Type: AWS::Route53::HostedZone
    Properties: {Name: sam.example}
  Certificate:
    Type: AWS::CertificateManager::Certificate
    Properties: {DomainName: api.sam.example, ValidationMethod: EMAIL}
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {'statusCode': 200, 'body': 'ok'}
      Events:
        Get:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /items, Method: get}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Domain:
        DomainName: api.sam.example
        CertificateArn: !Ref Certificate
        Route53: {HostedZoneId: !Ref Zone, IpV6: true}
Outputs:
  Zone: {Value: !Ref Zone}
  Target: {Value: !GetAtt ApiGatewayDomainName7d0b426eb3.RegionalDomainName}
`
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("samdns"), TemplateBody: aws.String(tpl),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}}); err != nil {
		t.Fatal(err)
	}
	out := createdStackOutputs(t, cf, "samdns")
	records := recordList(t, route53.NewFromConfig(env.Config), out["Zone"])
	for _, typ := range []string{"A", "AAAA"} {
		if want := "api.sam.example. " + typ + " alias:" + out["Target"] + "."; !slices.Contains(records, want) {
			t.Errorf("no %q in %q", want, records)
		}
	}
}
