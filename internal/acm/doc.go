// Package acm is AWS Certificate Manager: public certificates requested
// for domain names and validated by DNS or email, and certificates
// imported with their keys, kept in the store and served over awsJson
// 1.1 (X-Amz-Target CertificateManager.*). CloudFormation's
// AWS::CertificateManager::Certificate makes its certificates through
// the same operations; API Gateway's custom domain names and load
// balancers' HTTPS listeners name them.
//
// Validation. A certificate requested with ValidationMethod DNS gets,
// for each of its names, the CNAME record ACM would ask for
// (_HASH.NAME. → _HASH.acm-validations.aws.); like ACM's, the record
// depends only on the account and the name, so one record validates
// every certificate of the name. The certificate is ISSUED once each
// name is validated, checked whenever the certificate is read: a name
// is validated when virga's Route 53 public zone holding it has the
// record (CloudFormation writes it there for a DomainValidationOptions
// entry with a HostedZoneId, as on AWS), or when no virga zone holds
// the name at all: its DNS then lies outside virga, where nothing
// could ever be checked, and waiting would only keep a local deploy
// from finishing. A certificate validated by EMAIL is ISSUED at once:
// no mail is sent, and the approval is taken as given.
//
// A certificate still unvalidated 72 hours after its request becomes
// VALIDATION_TIMED_OUT. An issued certificate is valid for 395 days
// from its issue; it becomes EXPIRED after. GetCertificate returns a real X.509
// certificate for its names and KeyAlgorithm, signed by an issuing
// certificate made for it (the chain), made on the first call; its
// private key is kept nowhere, as ACM exports none. ImportCertificate
// parses PEM (one certificate, an unencrypted RSA or EC key that must
// match it, an optional chain) and describes the certificate by its
// fields (Type IMPORTED).
//
// InUseBy names the API Gateway custom domain names and the load
// balancers that use a certificate; DeleteCertificate refuses a
// certificate in use (ResourceInUseException). API Gateway looks
// certificates up (Lookup) and takes only one that is ISSUED and covers
// the domain (Certificate.Covers: a name, or a wildcard for one label);
// Elastic Load Balancing takes any that exists.
//
// Not supported: private certificates (CertificateAuthorityArn is
// NotImplementedException), ExportCertificate, RenewCertificate,
// ResendValidationEmail, certificate transparency logs (the
// preference is recorded and shown, by RequestCertificate and
// UpdateCertificateOptions), account
// configuration, revocation, and renewal (RenewalSummary is never
// set). Certificates are the account's in the configured region.
//
// Under --auth iam, calls on one certificate are authorized on its
// ARN, the others on "*". Changes hold the service's lock from read to
// commit.
package acm
