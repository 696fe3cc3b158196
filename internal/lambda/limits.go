package lambda

import (
	"net/http"
	"strings"
	"time"
)

// Lambda's quotas and defaults, with the documentation's wording.
const (
	// maxZipped: "Deployment package (.zip file archive) size: 50 MB
	// (zipped, for direct upload)".
	maxZipped = 50 << 20
	// maxRequestBody is the request size Lambda accepts for CreateFunction
	// and UpdateFunctionCode ("Request must be smaller than 70167211 bytes
	// for the CreateFunction operation"; it was 69905067 until 2023): the
	// 50 MB package in base64, and some room.
	maxRequestBody = 70167211
	// maxUnzipped: "250 MB (unzipped, including layers)", in bytes as the
	// error message prints it.
	maxUnzipped = 262144000
	// maxZipEntries bounds the files in one package, so that a zip of a
	// million empty files cannot exhaust inodes. AWS states no figure;
	// real packages stay far below it.
	maxZipEntries = 100000
	// maxSyncPayload: "Invocation payload (request and response): 6 MB
	// (synchronous)".
	maxSyncPayload = 6 << 20
	// maxSyncResponse is the response limit as Invoke reports it
	// ("Response payload size exceeded maximum allowed payload size
	// (6291556 bytes).").
	maxSyncResponse = 6<<20 + 100
	// maxAsyncPayload: "For asynchronous invocations, the maximum payload
	// size is 1 MB" (Invoke; it was 256 KB until Lambda raised it).
	maxAsyncPayload = 1 << 20
	// maxDLQErrorMessage: a dead-letter message's ErrorMessage attribute
	// is "the first 1 KB of the error message".
	maxDLQErrorMessage = 1 << 10
	// maxClientContext: "Up to 3,583 bytes of base64-encoded data about
	// the invoking client".
	maxClientContext = 3583
	// logTailBytes: LogType Tail returns "the last 4 KB of the execution
	// log".
	logTailBytes = 4 << 10
	// maxFunctionName: a function's name is "1 to 64 characters in
	// length"; FunctionName may be a longer ARN.
	maxFunctionName = 64
	// maxLayers: "Function layers: five layers".
	maxLayers = 5
	// maxEnvBytes: "Function environment variables: 4 KB, for all
	// environment variables associated with the function, in aggregate".
	maxEnvBytes = 4 << 10
	// maxPolicyBytes: "Function resource-based policy: 20 KB".
	maxPolicyBytes = 20 << 10
	// minUnreserved is the concurrency Lambda keeps for functions without
	// reserved concurrency: "You can reserve up to the Unreserved account
	// concurrency value minus 100" (all of it, on accounts smaller than
	// that).
	minUnreserved = 100
	// totalCodeSizeLimit: "Storage for uploaded functions (.zip file
	// archives) and layers: 75 GB".
	totalCodeSizeLimit = 75 << 30
	// Defaults of a new function.
	defaultMemoryMB    = 128
	defaultTimeoutSecs = 3
	defaultEphemeralMB = 512
	// defaultListItems is how many items a List operation returns when
	// MaxItems is not given.
	defaultListItems = 50
	// maxListItems: ListFunctions and ListVersionsByFunction return "a
	// maximum of 50 items in each response, even if you set the number
	// higher".
	maxListItems = 50
	// codeURLLifetime is how long a Code.Location URL works; AWS's
	// presigned URLs expire after 10 minutes.
	codeURLLifetime = 10 * time.Minute
	// Asynchronous invocation: "Lambda retries the function twice" on a
	// function error, waiting one minute, then two; events older than six
	// hours are discarded.
	asyncAttempts   = 3
	asyncFirstRetry = time.Minute
	asyncMaxAge     = 6 * time.Hour
	// asyncThrottleRetry is how long a throttled asynchronous invocation
	// waits before the next try (throttles do not count as attempts).
	asyncThrottleRetry = time.Second
)

// bodyTooLarge is Lambda's answer to a request body over maxRequestBody:
// RequestEntityTooLargeException naming the limit and the operation, for
// the operations that upload a package, and Invoke's own for Invoke.
func bodyTooLarge(r *http.Request) error {
	path := strings.TrimSuffix(r.URL.Path, "/")
	op := ""
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(path, "/invocations"):
		return ErrRequestTooLarge
	case r.Method == http.MethodPost && path == "/2015-03-31/functions":
		op = "CreateFunction"
	case r.Method == http.MethodPut && strings.HasPrefix(path, "/2015-03-31/functions/") && strings.HasSuffix(path, "/code"):
		op = "UpdateFunctionCode"
	case r.Method == http.MethodPost && strings.HasPrefix(path, "/2018-10-31/layers/") && strings.HasSuffix(path, "/versions"):
		op = "PublishLayerVersion"
	default:
		return ErrRequestEntityTooLarge.WithMessage("Request must be smaller than the size limit for this operation.")
	}
	return ErrRequestEntityTooLarge.Withf("Request must be smaller than %d bytes for the %s operation", maxRequestBody, op)
}
