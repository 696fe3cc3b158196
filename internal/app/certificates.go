package app

import "github.com/virga/virga/internal/apigateway"

// certificateUsers names, for ACM, the API Gateway custom domain names
// that use a certificate, by their ARNs (arn:aws:apigateway:REGION::/domainnames/NAME, the
// form IAM gives domain names; the form ACM shows is unconfirmed).
// apis is set once the REST API service, which checks certificates
// with ACM, is made.
type certificateUsers struct {
	apis   *apigateway.Service
	region string
}

func (u *certificateUsers) CertificateUsers(arn string) []string {
	var out []string
	for _, d := range u.apis.CustomDomains() {
		if d.CertificateArn == arn {
			out = append(out, "arn:aws:apigateway:"+u.region+"::/domainnames/"+d.Name)
		}
	}
	return out
}
