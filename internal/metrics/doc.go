// Package metrics is virga's Prometheus endpoint, GET /_virga/metrics:
// one registry of its own (never the process-wide default) holding
//
//   - virga_requests_total{service,operation,code} and
//     virga_request_duration_seconds{service,operation}: every AWS API
//     request the edge answers, code being the AWS error code or "OK";
//   - virga_data_plane_requests_total{plane,class}: requests to API
//     Gateway stages, function URLs, load balancers and the other data
//     planes, by status class ("2xx");
//   - virga_lambda_*{function}: invocations, errors, throttles, cold
//     starts, a duration histogram and the environments busy and idle,
//     read from package functions' counters when scraped;
//   - virga_store_*: the Pebble store's disk usage, write-ahead log
//     bytes and fsyncs, flushes and compactions, read when scraped;
//   - the Go runtime's and the process's own collectors.
//
// The code label is the error's code as the service's error table
// names it: an SQS error is QueueDoesNotExist even when an awsQuery
// client is answered with its legacy code
// (AWS.SimpleQueueService.NonExistentQueue).
//
// Requests to a load balancer listener's own port, which package elbv2
// serves with a server of its own, are counted as plane "elb" too
// (elbv2.Deps.Requests). Not counted: calls services make to each other
// in process (CloudFormation's resource providers), which are not
// requests.
//
// Labels stay bounded: services, operations and error codes come from
// the services' tables, function names from the functions users made;
// no request path, resource name or id is ever a label.
//
// Recording a request (APIRequest) is on every call's path: its series
// are found through a sync.Map keyed by the call's service, operation
// (pointers into the services' tables) and error code, without a lock or
// hashing of label values, and updated with client_golang's atomics.
// Everything else is computed at scrape time. A Registry is safe for
// concurrent use.
package metrics
