package acm

import (
	"reflect"

	"github.com/virga/virga/internal/awsproto/shape"
)

// domainNameMessagePattern is the domain name pattern as ACM's
// validation messages print it: the model's own text, with the
// lookahead model_overlay.json restates for Go.
const domainNameMessagePattern = `^(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])$`

// Limits of a domain name's length, the model's.
const (
	minDomainNameLength = 1
	maxDomainNameLength = 253
)

// domainName is the DomainName member of RequestCertificate, whose
// pattern is the one rule for every domain name of a certificate.
var domainName = func() *shape.Field {
	for _, f := range shape.Of(reflect.TypeFor[RequestCertificateRequest]()).Fields {
		if f.GoName == "DomainName" {
			return f
		}
	}
	panic("acm: RequestCertificateRequest has no DomainName")
}()

// sanConstraint is the constraint a bad subject alternative name
// breaks, reported on the whole list as ACM does: "Value '[a..b]' at
// 'subjectAlternativeNames' failed to satisfy constraint: Member must
// satisfy constraint: [Member must have length less than or equal to
// 253, Member must have length greater than or equal to 1, Member must
// satisfy regular expression pattern: ...]".
var sanConstraint = "Member must satisfy constraint: [Member must have length less than or equal to 253, " +
	"Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: " +
	domainNameMessagePattern + "]"

// ReviseViolations adds to the model's violations the one its shapes
// cannot express: each subject alternative name must be a domain name
// by DomainName's rule (the model puts no pattern on the list's
// members). ACM reports the list before the other members.
func (in *RequestCertificateRequest) ReviseViolations(vs []shape.Violation) ([]shape.Violation, error) {
	for _, n := range in.SubjectAlternativeNames {
		if len(n) < minDomainNameLength || len(n) > maxDomainNameLength || !domainName.Pattern.MatchString(n) {
			v := shape.Violation{Path: "subjectAlternativeNames", Value: "'" + shape.JavaString(in.SubjectAlternativeNames) + "'",
				Constraint: sanConstraint}
			return append([]shape.Violation{v}, vs...), nil
		}
	}
	return vs, nil
}
