// Package route53 is Route 53's DNS records: public and private hosted
// zones and their resource record sets, kept in the store with AWS's
// ids and served over restXml at /2013-04-01/... . CloudFormation's
// AWS::Route53:: providers and SAM's Domain.Route53 make their zones
// and records through the same operations.
//
// virga answers no DNS queries: what this package keeps is the record
// of the zones and what ChangeResourceRecordSets made of them, checked
// as AWS checks a change batch (a record must lie in its zone, a CREATE
// must not find its record, a DELETE must find it with the same values,
// a CNAME stands alone at its name, values parse as their type), so
// that templates and programs that manage DNS work, and what they read
// back is what AWS would answer. Every zone gets an SOA record and an
// NS record naming four made-up name servers. Changes are INSYNC as
// soon as GetChange is asked about them; it finds them for a day
// (changeRetention), after which each new change deletes the expired.
//
// Other services read the public zones through Lookup, as a resolver
// would: ACM checks its DNS validation records there.
//
// Names are kept as Route 53 keeps them: lower case, with a trailing
// dot, and characters other than a-z, 0-9, '-' and '_' written as
// three-digit octal escapes ("*" is "\052"). Record sets list in
// Route 53's order: by name with its labels reversed, then by type,
// then by set identifier.
//
// Health checks are kept with their settings (Route 53's defaults filled
// in), versions and tags, and record sets may name them; no check is
// ever performed, and GetHealthCheckStatus reports every checker region
// as healthy.
//
// Not supported yet: traffic policies, reusable
// delegation sets, query logging (ListQueryLoggingConfigs answers an
// empty list, the zone it names checked), DNSSEC, VPC association after
// creation, geolocation and CIDR collections (recorded as given, never
// evaluated). Route 53 is global: requests signed for any region see
// the same zones.
//
// Under --auth iam, calls on one zone, change or tagged resource are
// authorized on its ARN (arn:aws:route53:::hostedzone/ID, ::change/ID),
// the others on "*".
//
// A zone and its record sets are one value in the store; changes hold
// the service's lock from read to commit, so a batch is checked
// against every earlier change and applied all or nothing.
package route53
