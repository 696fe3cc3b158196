// Package paramsecrets is the AWS Parameters and Secrets Lambda
// Extension, built into virga: the layer AWS publishes as
// AWS-Parameters-and-Secrets-Lambda-Extension (and -Arm64) in accounts of
// its own, which virga cannot download. A function that names the layer
// gets the extension's HTTP API on 127.0.0.1 at port 2773
// (PARAMETERS_SECRETS_EXTENSION_HTTP_PORT):
//
//	GET /systemsmanager/parameters/get?name=N[&withDecryption=true][&version=V|&label=L]
//	    ─► SSM GetParameter (Name N, N:V or N:L) ─► its JSON answer
//	GET /secretsmanager/get?secretId=S[&versionId=I][&versionStage=T]
//	    ─► Secrets Manager GetSecretValue ─► its JSON answer
//
// Each request must carry the environment's AWS_SESSION_TOKEN in the
// X-Aws-Parameters-Secrets-Token header. The extension calls virga's
// own SSM and Secrets Manager over HTTP at the function's endpoint
// (AWS_ENDPOINT_URL), signed with the environment's credentials, as the
// real extension calls AWS with the function's: with --auth iam the
// execution role needs ssm:GetParameter and secretsmanager:GetSecretValue
// (and kms:Decrypt), as on AWS. An answer is the service's own: 200 with
// its GetParameter or GetSecretValue JSON, or the service's error status
// and body (ParameterNotFound and ResourceNotFoundException are 400).
//
// Caching follows the documented variables: answers are kept for
// SSM_PARAMETER_STORE_TTL and SECRETS_MANAGER_TTL seconds (default 300,
// at most 300; 0 keeps none), up to PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE
// entries (default 1000, at most 1000; 0 keeps none), unless
// PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED is false.
// SSM_PARAMETER_STORE_TIMEOUT_MILLIS and SECRETS_MANAGER_TIMEOUT_MILLIS
// bound a call to the service (default 0: no bound).
//
// Where it runs: virga's sandboxes share the host's network namespace
// (package sandbox), so environments cannot each listen on 2773. One
// listener per port serves every environment that uses it and tells
// them apart by their session token, which identifies the function's
// role session: the extension answers a token only while an environment
// holding it is alive, and keeps one cache per token, so the
// environments of one function (which share their role's credentials)
// share a cache where AWS gives each environment its own. A port another
// process holds cannot be listened on: the environment runs without the
// extension and its log says so.
//
// As documented, "the extension can only be invoked during the INVOKE
// phase ... and not during the INIT phase": until an environment's
// runtime has initialized, a request with its token is answered 400,
// "not ready to serve traffic, please wait". Because environments are
// told apart by token only, once one environment of a function is past
// its init, a later environment's init is served too.
//
// Not supported: PARAMETERS_SECRETS_EXTENSION_MAX_CONNECTIONS
// and PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL (read, not applied: the
// extension writes no log lines of its own). The status of a request
// without a valid token (401 here), of an unknown path (404), a method
// other than GET (405) and a request missing its name or secretId or
// naming both a version and a label (400) are virga's choices, not
// confirmed against AWS.
//
// Concurrency: Server.mu guards the listeners and their sessions; a
// session's cache has its own lock, taken after Server.mu is released.
package paramsecrets
