package acm

import "github.com/virga/virga/internal/awsproto"

// operations is ACM's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "AddTagsToCertificate", Handler: awsproto.Handle(s.addTagsToCertificate)},
		{Name: "DeleteCertificate", Handler: awsproto.Handle(s.deleteCertificate)},
		{Name: "DescribeCertificate", Handler: awsproto.Handle(s.describeCertificate)},
		{Name: "GetCertificate", Handler: awsproto.Handle(s.getCertificate)},
		{Name: "ImportCertificate", Handler: awsproto.Handle(s.importCertificate)},
		{Name: "ListCertificates", Handler: awsproto.Handle(s.listCertificates)},
		{Name: "ListTagsForCertificate", Handler: awsproto.Handle(s.listTagsForCertificate)},
		{Name: "RemoveTagsFromCertificate", Handler: awsproto.Handle(s.removeTagsFromCertificate)},
		{Name: "RequestCertificate", Handler: awsproto.Handle(s.requestCertificate)},
		{Name: "UpdateCertificateOptions", Handler: awsproto.Handle(s.updateCertificateOptions)},
	}
}

// noOutput is the output of operations whose model has none.
type noOutput struct{}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
