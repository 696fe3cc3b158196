// Package edge is virga's front door: one HTTP handler that turns each
// request into a call on one AWS service (see README.md beside this file
// for the path a request takes).
//
// It owns routing (which service), authentication (who), handing each
// call the Authorizer that enforces IAM policies under --auth iam (the
// decision itself is IAM's, made in awsproto.Service.Serve once the
// input is decoded), the request id
// and X-Ray trace id every call carries, browsers' CORS for the AWS
// APIs (cors.go: preflights, and the Access-Control-* headers of
// answers to requests with an Origin, but for services that own their
// CORS, S3's bucket rules), recovery from panics, the
// request log, and recording each request for metrics (Options.Metrics:
// finish sees every AWS API request, including those refused before
// their operation ran, by authentication or as an unknown service or
// operation; serveDataPlane every data plane request; virga's own
// /_virga/ endpoints are not counted), and handing every answered AWS
// API call to the recorder (Options.Recorder, CloudTrail) from finish. It knows nothing of any service's operations: those belong
// to awsproto and the service packages.
//
// It does not own the listener: internal/app serves it on one port for
// plain HTTP (h2c included) and TLS alike, through package localtls,
// so a request reaches the edge the same way over either (r.TLS tells
// them apart).
//
// The edge is built once and is safe for concurrent use; it holds no
// mutable state of its own.
package edge
