// Package bootstraps holds virga's own Lambda runtimes for interpreted
// languages: a Python and a Node.js Runtime API client, each written with
// its language's standard library only, embedded in the virga binary and
// written to disk for environments to mount at /var/runtime.
//
// Both load the handler named by _HANDLER from LAMBDA_TASK_ROOT, give it
// an event and a context with AWS's fields and methods, and shape errors
// as AWS's runtimes do (Python: errorMessage, errorType, requestId,
// stackTrace; Node.js: errorType, errorMessage, trace), with AWS's
// Runtime.* types for import, syntax and handler-name failures.
package bootstraps
