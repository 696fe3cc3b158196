package acm

// The operations' inputs and outputs come from AWS's model of ACM;
// model_overlay.json restates the domain name pattern without the
// lookahead Go's regular expressions lack (a label may not begin with a
// hyphen), meaning the same.
//go:generate go run ../awsproto/shapegen -service acm -version 2015-12-08 -package acm -overlay model_overlay.json -out zz_shapes.go -ops RequestCertificate,DescribeCertificate,ListCertificates,DeleteCertificate,AddTagsToCertificate,RemoveTagsFromCertificate,ListTagsForCertificate,GetCertificate,ImportCertificate,UpdateCertificateOptions
