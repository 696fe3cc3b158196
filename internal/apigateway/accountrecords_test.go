package apigateway

import "testing"

// TestAccountRecordsSurviveRestart checks that client certificates, VPC
// links and the account's settings are read back after a restart, tags
// and changes included.
func TestAccountRecordsSurviveRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cert := must[*ClientCertificate](t)(e.s.generateClientCertificate(ctx, &GenerateClientCertificateRequest{Description: ptr("tls")}))
	link := must[*VpcLink](t)(e.s.createVpcLink(ctx, &CreateVpcLinkRequest{Name: ptr("nlb"),
		TargetArns: []string{"arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/a/1"}}))
	linkARN := "arn:aws:apigateway:us-east-1::/vpclinks/" + *link.Id
	must[*noOutput](t)(e.s.tagResource(ctx, &TagResourceRequest{ResourceArn: &linkARN, Tags: map[string]string{"team": "a"}}))
	role := "arn:aws:iam::000000000000:role/logs"
	must[*Account](t)(e.s.updateAccount(ctx, &UpdateAccountRequest{PatchOperations: []PatchOperation{
		{Op: ptr(Op("replace")), Path: ptr("/cloudwatchRoleArn"), Value: &role}}}))

	s := e.restart()
	got := must[*ClientCertificate](t)(s.getClientCertificate(ctx, &GetClientCertificateRequest{ClientCertificateId: cert.ClientCertificateId}))
	if *got.Description != "tls" || *got.PemEncodedCertificate != *cert.PemEncodedCertificate {
		t.Errorf("certificate after restart %+v", got)
	}
	l := must[*VpcLink](t)(s.getVpcLink(ctx, &GetVpcLinkRequest{VpcLinkId: link.Id}))
	if *l.Name != "nlb" || l.Tags["team"] != "a" {
		t.Errorf("link after restart %+v", l)
	}
	if a := must[*Account](t)(s.getAccount(ctx, &GetAccountRequest{})); deref(a.CloudwatchRoleArn) != role {
		t.Errorf("account after restart %+v", a)
	}
	must[*noOutput](t)(s.deleteVpcLink(ctx, &DeleteVpcLinkRequest{VpcLinkId: link.Id}))
	_, err := e.restart().getVpcLink(ctx, &GetVpcLinkRequest{VpcLinkId: link.Id})
	wantErr(t, err, "NotFoundException", msgVpcLinkNotFound)
}
