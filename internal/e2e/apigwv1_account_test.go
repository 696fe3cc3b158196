package e2e_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/virga/virga/internal/e2e"
)

// TestAPIGWv1ClientCertificates generates a client certificate, reads,
// changes, tags and deletes it, and reads and sets the account's
// settings.
func TestAPIGWv1ClientCertificates(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := apigateway.NewFromConfig(env.Config)

	cert, err := c.GenerateClientCertificate(ctx, &apigateway.GenerateClientCertificateInput{Description: aws.String("backend"),
		Tags: map[string]string{"team": "pets"}})
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(aws.ToString(cert.PemEncodedCertificate)))
	if block == nil {
		t.Fatalf("pemEncodedCertificate %q", aws.ToString(cert.PemEncodedCertificate))
	}
	x, err := x509.ParseCertificate(block.Bytes)
	if err != nil || !x.NotAfter.Equal(*cert.ExpirationDate) || cert.ExpirationDate.Sub(*cert.CreatedDate).Hours() != 365*24 {
		t.Fatalf("certificate %v, %v; created %v, expires %v", x, err, cert.CreatedDate, cert.ExpirationDate)
	}
	id := cert.ClientCertificateId
	up, err := c.UpdateClientCertificate(ctx, &apigateway.UpdateClientCertificateInput{ClientCertificateId: id,
		PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/description"), Value: aws.String("backend tls")}}})
	if err != nil || aws.ToString(up.Description) != "backend tls" || aws.ToString(up.PemEncodedCertificate) != aws.ToString(cert.PemEncodedCertificate) {
		t.Fatalf("UpdateClientCertificate: %v %v", up, err)
	}
	arn := "arn:aws:apigateway:" + env.Cfg.Region + "::/clientcertificates/" + *id
	if _, err := c.TagResource(ctx, &apigateway.TagResourceInput{ResourceArn: &arn, Tags: map[string]string{"env": "prod"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.GetTags(ctx, &apigateway.GetTagsInput{ResourceArn: &arn})
	if err != nil || len(tags.Tags) != 2 || tags.Tags["team"] != "pets" || tags.Tags["env"] != "prod" {
		t.Fatalf("GetTags: %v %v", tags, err)
	}
	list, err := c.GetClientCertificates(ctx, &apigateway.GetClientCertificatesInput{})
	if err != nil || len(list.Items) != 1 || aws.ToString(list.Items[0].ClientCertificateId) != *id {
		t.Fatalf("GetClientCertificates: %v %v", list, err)
	}
	if _, err := c.DeleteClientCertificate(ctx, &apigateway.DeleteClientCertificateInput{ClientCertificateId: id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetClientCertificate(ctx, &apigateway.GetClientCertificateInput{ClientCertificateId: id})
	expectAPIError(t, err, "NotFoundException", 404)

	acct, err := c.GetAccount(ctx, &apigateway.GetAccountInput{})
	if err != nil || acct.CloudwatchRoleArn != nil || acct.ThrottleSettings == nil || acct.ThrottleSettings.BurstLimit != 5000 ||
		acct.ThrottleSettings.RateLimit != 10000 || aws.ToString(acct.ApiKeyVersion) != "4" {
		t.Fatalf("GetAccount: %+v %v", acct, err)
	}
	role := "arn:aws:iam::" + testAccount + ":role/ApiGatewayLogs"
	if _, err := c.UpdateAccount(ctx, &apigateway.UpdateAccountInput{PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/cloudwatchRoleArn"), Value: &role}}}); err != nil {
		t.Fatal(err)
	}
	if acct, err := c.GetAccount(ctx, &apigateway.GetAccountInput{}); err != nil || aws.ToString(acct.CloudwatchRoleArn) != role {
		t.Fatalf("GetAccount after UpdateAccount: %+v %v", acct, err)
	}
}

// clientCertStack is a client certificate, a VPC link and the account's
// CloudWatch role.
const clientCertStack = `Resources:
  Cert:
    Type: AWS::ApiGateway::ClientCertificate
    Properties:
      Description: DESCRIPTION
      Tags:
        - {Key: team, Value: pets}
  Account:
    Type: AWS::ApiGateway::Account
    Properties:
      CloudWatchRoleArn: !Sub "arn:aws:iam::${AWS::AccountId}:role/ApiGatewayLogs"
  Link:
    Type: AWS::ApiGateway::VpcLink
    Properties:
      Name: DESCRIPTION-link
      TargetArns:
        - !Sub "arn:aws:elasticloadbalancing:${AWS::Region}:${AWS::AccountId}:loadbalancer/net/internal/50dc6c495c0c9188"
      Tags:
        - {Key: team, Value: pets}
Outputs:
  Cert:
    Value: !Ref Cert
  Link:
    Value: !Ref Link
  LinkId:
    Value: !GetAtt Link.VpcLinkId
`

// TestAPIGWv1ClientCertificateStack deploys a client certificate and the
// account's settings, changes the certificate's description in place and
// deletes the stack, which deletes the certificate.
func TestAPIGWv1ClientCertificateStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	c := apigateway.NewFromConfig(env.Config)
	template := func(d string) string { return strings.ReplaceAll(clientCertStack, "DESCRIPTION", d) }
	deployStack(t, cf, "certs", template("first"), false)
	outs := createdStackOutputs(t, cf, "certs")
	id, linkID := outs["Cert"], outs["Link"]
	if linkID == "" || outs["LinkId"] != linkID {
		t.Fatalf("outputs %v", outs)
	}
	link, err := c.GetVpcLink(ctx, &apigateway.GetVpcLinkInput{VpcLinkId: &linkID})
	if err != nil || aws.ToString(link.Name) != "first-link" || link.Status != agtypes.VpcLinkStatusAvailable || len(link.TargetArns) != 1 || link.Tags["team"] != "pets" {
		t.Fatalf("GetVpcLink: %+v %v", link, err)
	}
	cert, err := c.GetClientCertificate(ctx, &apigateway.GetClientCertificateInput{ClientCertificateId: &id})
	if err != nil || aws.ToString(cert.Description) != "first" || cert.Tags["team"] != "pets" {
		t.Fatalf("GetClientCertificate: %v %v", cert, err)
	}
	if acct, err := c.GetAccount(ctx, &apigateway.GetAccountInput{}); err != nil || aws.ToString(acct.CloudwatchRoleArn) != "arn:aws:iam::"+testAccount+":role/ApiGatewayLogs" {
		t.Fatalf("GetAccount: %+v %v", acct, err)
	}
	deployStack(t, cf, "certs", template("second"), true)
	if cert, err := c.GetClientCertificate(ctx, &apigateway.GetClientCertificateInput{ClientCertificateId: &id}); err != nil || aws.ToString(cert.Description) != "second" {
		t.Fatalf("GetClientCertificate after the update: %v %v", cert, err)
	}
	if link, err := c.GetVpcLink(ctx, &apigateway.GetVpcLinkInput{VpcLinkId: &linkID}); err != nil || aws.ToString(link.Name) != "second-link" {
		t.Fatalf("GetVpcLink after the update: %+v %v", link, err)
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("certs")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("certs")}, 90*time.Second); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetClientCertificate(ctx, &apigateway.GetClientCertificateInput{ClientCertificateId: &id})
	expectAPIError(t, err, "NotFoundException", 404)
	_, err = c.GetVpcLink(ctx, &apigateway.GetVpcLinkInput{VpcLinkId: &linkID})
	expectAPIError(t, err, "NotFoundException", 404)
}

// TestAPIGWv1VpcLinks creates a VPC link to a network load balancer,
// which is AVAILABLE at once, renames, tags, lists and deletes it.
func TestAPIGWv1VpcLinks(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := apigateway.NewFromConfig(env.Config)
	nlb := "arn:aws:elasticloadbalancing:" + env.Cfg.Region + ":" + testAccount + ":loadbalancer/net/internal/50dc6c495c0c9188"
	_, err := c.CreateVpcLink(ctx, &apigateway.CreateVpcLinkInput{Name: aws.String("none"), TargetArns: []string{}})
	expectAPIError(t, err, "BadRequestException", 400)
	link, err := c.CreateVpcLink(ctx, &apigateway.CreateVpcLinkInput{Name: aws.String("internal"), TargetArns: []string{nlb}})
	if err != nil || link.Status != agtypes.VpcLinkStatusAvailable || len(aws.ToString(link.Id)) != 6 {
		t.Fatalf("CreateVpcLink: %+v %v", link, err)
	}
	up, err := c.UpdateVpcLink(ctx, &apigateway.UpdateVpcLinkInput{VpcLinkId: link.Id, PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/name"), Value: aws.String("backend")},
		{Op: agtypes.OpReplace, Path: aws.String("/description"), Value: aws.String("to the NLB")}}})
	if err != nil || aws.ToString(up.Name) != "backend" || aws.ToString(up.Description) != "to the NLB" || up.TargetArns[0] != nlb {
		t.Fatalf("UpdateVpcLink: %+v %v", up, err)
	}
	arn := "arn:aws:apigateway:" + env.Cfg.Region + "::/vpclinks/" + *link.Id
	if _, err := c.TagResource(ctx, &apigateway.TagResourceInput{ResourceArn: &arn, Tags: map[string]string{"env": "prod"}}); err != nil {
		t.Fatal(err)
	}
	list, err := c.GetVpcLinks(ctx, &apigateway.GetVpcLinksInput{})
	if err != nil || len(list.Items) != 1 || list.Items[0].Tags["env"] != "prod" {
		t.Fatalf("GetVpcLinks: %+v %v", list, err)
	}
	if _, err := c.DeleteVpcLink(ctx, &apigateway.DeleteVpcLinkInput{VpcLinkId: link.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetVpcLink(ctx, &apigateway.GetVpcLinkInput{VpcLinkId: link.Id})
	expectAPIError(t, err, "NotFoundException", 404)
}
