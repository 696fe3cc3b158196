package functions

import (
	"context"
	"time"
)

// Spec is everything needed to run one function version. The lambda
// service builds it; two Specs with the same Key share a pool, so Key
// must change whenever anything else here does (code, configuration).
type Spec struct {
	// Key identifies the pool: the function version's ARN and a revision
	// that changes with its code or configuration.
	Key string
	// FunctionName, Version and ARN are what the environment and the
	// Runtime API report (AWS_LAMBDA_FUNCTION_NAME, ...).
	FunctionName string
	Version      string
	ARN          string
	// Runtime is the Lambda runtime identifier ("provided.al2023",
	// "python3.12", "nodejs22.x", "go1.x", ...) and Handler the handler
	// setting.
	Runtime string
	Handler string
	// CodeDir holds the extracted deployment package; it is mounted
	// read-only at /var/task (or used in place without a sandbox).
	CodeDir string
	// Image, when set, makes this a container image function: its
	// environments are containers of the image (Options.Containers), and
	// Runtime, Handler, CodeDir and LayerDirs are unused.
	Image *Image
	// LayerDirs hold extracted layers, in order; their contents are
	// merged under /opt, later layers winning.
	LayerDirs []string
	// MemoryMB is the memory limit; Timeout the invocation time limit;
	// EphemeralMB the size of /tmp.
	MemoryMB    int
	Timeout     time.Duration
	EphemeralMB int
	// Architecture is "x86_64" or "arm64".
	Architecture string
	// Env are the user's environment variables, set after AWS's own.
	Env map[string]string
	// Concurrency is the most environments the pool runs at once: the
	// version's provisioned concurrency and the on-demand concurrency its
	// function may use, the same limit by which the lambda service admits
	// its invocations; zero or less means Options.DefaultConcurrency. (A reserved concurrency of
	// zero throttles every invocation: the lambda service answers those
	// itself, without calling Invoke.) It is the one field that is not
	// part of Key: each Invoke or Provision sets its pool's limit, so
	// that a new limit keeps the environments.
	Concurrency int
	// Region and Endpoint are where SDK calls from inside the function
	// go (AWS_REGION, AWS_ENDPOINT_URL).
	Region   string
	Endpoint string
	// Credentials returns the temporary credentials of the function's
	// role for a new environment.
	Credentials func(ctx context.Context) (Credentials, error)
	// Logs receives each environment's output; nil discards it.
	Logs LogSink
	// LogGroup is the log group the output goes to (LoggingConfig's
	// LogGroup); empty means /aws/lambda/FunctionName.
	LogGroup string
	// LogFormat is LoggingConfig's LogFormat: LogFormatText (also when
	// empty) or LogFormatJSON. In JSON, Lambda's own lines are JSON
	// records filtered by SystemLogLevel (DEBUG, INFO or WARN), the
	// runtimes log JSON objects, and the function's output is filtered by
	// ApplicationLogLevel (TRACE, DEBUG, INFO, WARN, ERROR or FATAL);
	// empty levels are INFO.
	LogFormat           string
	ApplicationLogLevel string
	SystemLogLevel      string
	// ParamsSecrets makes each environment serve the AWS Parameters and
	// Secrets Lambda Extension's HTTP API (the function names its layer):
	// Options.ParamsSecrets serves it for as long as the environment
	// lives.
	ParamsSecrets bool
}

// ParamsSecrets serves the AWS Parameters and Secrets Lambda Extension's
// API to the environments of functions that use it.
type ParamsSecrets interface {
	// Attach makes the API serve the environment described by a until
	// detach is called (when the environment ends). Until ready is
	// called (when the runtime has initialized), the environment is in
	// its INIT phase, when the extension does not serve requests yet.
	Attach(a ExtensionAttachment) (ready, detach func(), err error)
}

// ExtensionAttachment is what a built-in extension knows of one
// environment: its function, the user's variables that configure the
// extension, and the credentials and endpoint it calls AWS with.
type ExtensionAttachment struct {
	FunctionName string
	Env          map[string]string
	Credentials  Credentials
	Region       string
	Endpoint     string
}

// Credentials are an environment's AWS credentials.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// LogSink receives function output, one log stream per environment, as
// CloudWatch Logs stores it.
type LogSink interface {
	// Stream returns the writer for a new environment's log stream in the
	// function's log group (/aws/lambda/NAME), named as AWS names them
	// (YYYY/MM/DD/[$LATEST]hex).
	Stream(group, stream string) (LogStream, error)
}

// LogStream is one environment's log stream. Events are lines of output,
// and the START, END and REPORT lines of each invocation.
type LogStream interface {
	Write(at time.Time, message string) error
	Close() error
}

// Invocation is one call of a function.
type Invocation struct {
	RequestID string
	// InvokedARN is the ARN the caller invoked (unqualified, a version's
	// or an alias's), which the runtime reports as the invoked function
	// ARN; empty means Spec.ARN.
	InvokedARN string
	Payload    []byte
	// TraceID is the X-Ray trace header passed to the function
	// (Lambda-Runtime-Trace-Id, _X_AMZN_TRACE_ID).
	TraceID string
	// ClientContext and CognitoIdentity are passed through as the Runtime
	// API's headers.
	ClientContext   string
	CognitoIdentity string
	// Tail asks for the last 4 KB of the invocation's log in the Result.
	Tail bool
	// Stream, when set, receives a streamed response as the runtime
	// sends it (Lambda-Runtime-Function-Response-Mode: streaming), and
	// the Result's Payload stays empty unless the function failed. Without
	// it, a streamed response is collected into the Result's Payload, up
	// to runtimeapi.MaxResponseBytes (Function.ResponseSizeTooLarge past
	// it), as Invoke answers it.
	Stream ResponseStream
}

// ResponseStream receives a function's streamed response.
type ResponseStream interface {
	// Begin is called once, when the runtime begins the response, with
	// the Content-Type it gave.
	Begin(contentType string)
	// Write receives the response's bytes, in order, as they arrive. An
	// error stops the forwarding (the client went away); the function
	// runs on to its end, as on AWS.
	Write(p []byte) error
}

// Result is the outcome of an invocation that reached an environment.
type Result struct {
	// Payload is the function's response, or the error document in its
	// runtime's shape ({"errorMessage":..., "errorType":...,
	// "stackTrace":[...]}; Node.js says "trace").
	Payload []byte
	// FunctionError is "Unhandled" when the function (or its runtime)
	// failed, "" otherwise.
	FunctionError string
	// ErrorType is the failure's error type when FunctionError is set
	// ("Runtime.ExitError", "Sandbox.Timedout", the function's own).
	ErrorType string
	// Streamed reports a streamed response, of ContentType (the
	// runtime's Content-Type header).
	Streamed    bool
	ContentType string
	// LogTail is the end of the invocation's log, when Tail was asked.
	LogTail []byte
	// Duration, InitDuration (zero on a warm start) and MaxMemoryUsedMB
	// are what the REPORT line says.
	Duration        time.Duration
	InitDuration    time.Duration
	MaxMemoryUsedMB int
}

// Manager runs invocations. It is safe for concurrent use.
type Manager interface {
	// Invoke runs one invocation in an environment of spec's pool,
	// starting one if needed.
	//
	// Whatever AWS reports as a function error comes back as a Result
	// with FunctionError "Unhandled" and AWS's error document as Payload,
	// exactly as Invoke answers it on the wire (200,
	// X-Amz-Function-Error: Unhandled): the function's own errors, and
	// those of an environment that could not start or serve
	// ("Runtime.ExitError", "Runtime.InvalidEntrypoint",
	// "Runtime.ImportModuleError", "Runtime.OutOfMemory",
	// "Function.ResponseSizeTooLarge", a timeout).
	//
	// A *RuntimeError is returned when the invocation never reached an
	// environment and AWS answers with an API error instead: its Type is
	// that error's code. ErrTooManyRequests (429) when every
	// environment of the pool is busy and the pool is at its concurrency
	// limit; TypeInvalidRuntime (502) for a runtime this host cannot run
	// (Java, .NET, or python3 / node / ruby not installed); TypeService
	// (500) when the host failed (credentials, file descriptors).
	//
	// The invocation runs to its end or its timeout even if ctx is
	// canceled, as on AWS.
	Invoke(ctx context.Context, spec *Spec, inv *Invocation) (*Result, error)
	// CheckRuntime reports, as a *RuntimeError of TypeInvalidRuntime,
	// a runtime identifier this host cannot run (for CreateFunction and
	// UpdateFunctionConfiguration to refuse early), its Reason telling an
	// unknown identifier from a runtime virga cannot run yet and from
	// one whose interpreter the host lacks.
	CheckRuntime(runtime string) error
	// Python is the path of the host interpreter that runs Python
	// functions (virga up --python, or the python3 first on PATH), for
	// installing packages they import with its pip; an error when the
	// host has none.
	Python() (string, error)
	// Provision keeps n environments of spec's pool initialized ahead of
	// invocations (provisioned concurrency): they start now, each
	// running its init without an invocation
	// (AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency), are used
	// before on-demand environments, are never reaped for idleness, and
	// are replaced when they end. A smaller n ends the extra ones (idle
	// ones now, busy ones when their invocation ends); zero releases them
	// all. It returns only when the pool cannot be made (a runtime this
	// host cannot run): environments that fail to start are reported by
	// Provisioned.
	Provision(spec *Spec, n int) error
	// Provisioned reports the provisioned environments of the pool with
	// the given Key.
	Provisioned(key string) Provisioning
	// Retire stops the pools whose Key starts with prefix (a function
	// deleted or updated); in-flight invocations finish first, and
	// provisioned environments end with the pool.
	Retire(prefix string)
	// Close stops every environment.
	Close() error
}

// Provisioning is the state of a pool's provisioned environments.
type Provisioning struct {
	// Allocated is how many provisioned environments are initialized
	// (idle or serving), at most the number asked for.
	Allocated int
	// Failure says why the last provisioned environment to start could
	// not ("Runtime.ExitError: Error: Runtime exited with error: exit
	// status 1"), until one starts or Provision is called again.
	Failure string
}

// RuntimeError is an invocation that did not reach an environment, with
// the Lambda API error code AWS answers with (Type) and its message.
type RuntimeError struct {
	Type    string
	Message string
	// Reason says, for TypeInvalidRuntime, why the runtime cannot run.
	Reason RuntimeReason
}

// RuntimeReason is why a runtime cannot run here.
type RuntimeReason int

const (
	// RuntimeUnknown is an identifier virga knows no runtime by.
	RuntimeUnknown RuntimeReason = iota + 1
	// RuntimeNotYet is a runtime of Lambda's virga has no bootstrap for
	// yet (.NET): Lambda accepts it, its invocations fail.
	RuntimeNotYet
	// RuntimeHostLacks is a runtime virga runs on a host interpreter the
	// host lacks; the message names the Debian package that gives it.
	RuntimeHostLacks
)

// Error returns the type and the message.
func (e *RuntimeError) Error() string { return e.Type + ": " + e.Message }

// The Types of RuntimeError, Lambda API error codes.
const (
	// TypeTooManyRequests (429): the pool is at its concurrency limit.
	TypeTooManyRequests = "TooManyRequestsException"
	// TypeInvalidRuntime (502): "The runtime or runtime version specified
	// is not supported."
	TypeInvalidRuntime = "InvalidRuntimeException"
	// TypeService (500): the host failed to prepare an environment.
	TypeService = "ServiceException"
)

// ErrTooManyRequests is returned when a pool is at its concurrency limit.
var ErrTooManyRequests = &RuntimeError{Type: TypeTooManyRequests, Message: "Rate Exceeded."}
