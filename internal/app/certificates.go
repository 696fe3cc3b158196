package app

import (
	"net/http"

	"github.com/virga/virga/internal/apigateway"
	"github.com/virga/virga/internal/cognitoidp"
	"github.com/virga/virga/internal/edge"
	"github.com/virga/virga/internal/elbv2"
)

// certificateUsers names, for ACM, the API Gateway custom domain names
// that use a certificate, by their ARNs (arn:aws:apigateway:REGION::/domainnames/NAME, the
// form IAM gives domain names; the form ACM shows is unconfirmed).
// the load balancers whose listeners use it, and the distributions of
// user pools' custom domains. apis, balancers and pools are set once
// those services, which check certificates with ACM, are made.
type certificateUsers struct {
	apis      *apigateway.Service
	balancers *elbv2.Service
	pools     *cognitoidp.Service
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
	if u.pools != nil {
		out = append(out, u.pools.CertificateUsers(arn)...)
	}
	return out
}

// customDomains serves the host names of API Gateway's custom domain
// names and of user pools' custom domains (edge.CustomDomains).
type customDomains struct {
	apis  edge.CustomDomains
	pools *cognitoidp.Service
}

func (c customDomains) ServesDomain(host string) bool {
	return c.apis.ServesDomain(host) || c.pools.CustomDomain(host)
}

func (c customDomains) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c.pools.CustomDomain(r.Host) {
		c.pools.OAuthHandler().ServeHTTP(w, r)
		return
	}
	c.apis.ServeHTTP(w, r)
}
