package app

import (
	"github.com/virga/virga/internal/apigateway"
	"github.com/virga/virga/internal/elbv2"
)

// certificateUsers names, for ACM, the API Gateway custom domain names
// that use a certificate, by their ARNs (arn:aws:apigateway:REGION::/domainnames/NAME, the
// form IAM gives domain names; the form ACM shows is unconfirmed).
// and the load balancers whose listeners use it. apis and balancers
// are set once those services, which check certificates with ACM, are
// made.
type certificateUsers struct {
	apis      *apigateway.Service
	balancers *elbv2.Service
	region    string
}

func (u *certificateUsers) CertificateUsers(arn string) []string {
	var out []string
	for _, d := range u.apis.CustomDomains() {
		if d.CertificateArn == arn {
			out = append(out, "arn:aws:apigateway:"+u.region+"::/domainnames/"+d.Name)
		}
	}
	if u.balancers != nil {
		out = append(out, u.balancers.CertificateUsers(arn)...)
	}
	return out
}
