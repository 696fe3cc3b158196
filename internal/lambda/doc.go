// Package lambda is AWS Lambda's API (restJson1, /2015-03-31/...):
// functions with their versions, aliases, layers, concurrency, resource
// policies and tags, and Invoke. Running functions is package functions'
// business: this package resolves a function version to a
// functions.Spec and asks a functions.Manager to invoke it.
//
//	CreateFunction ─► check the configuration ─► extract the zip (unzip.go)
//	                  into DataDir/lambda/code/<sha256> ─► store the zip
//	                  and the configuration (storage.go) ─► 201, State Pending
//	Invoke ─► name[:qualifier] ─► version (an alias picks by its weights)
//	         ├ DryRun: 204
//	         ├ Event: stored in the function's queue, 202; Run delivers it,
//	         │        retrying function errors twice (after 1 and 2 minutes)
//	         └ RequestResponse: admit (the version's provisioned
//	                  concurrency, then the function's on-demand share of
//	                  its reservation or the account's shared pool; 429
//	                  beyond, concurrency.go) ─► Spec
//	                  (spec.go) ─► Manager.Invoke ─► payload, X-Amz-Function-Error,
//	                  X-Amz-Log-Result, X-Amz-Executed-Version
//	InvokeWithResponseStream ─► as RequestResponse, with a functions.ResponseStream
//	         (op_invoke_stream.go): 200 application/vnd.amazon.eventstream, a
//	         PayloadChunk event per piece as the function streams it (the whole
//	         response of one that does not), then InvokeComplete (ErrorCode,
//	         ErrorDetails, LogResult); DryRun: 204. Events are written with
//	         package awsproto/eventstream and flushed one by one.
//
// Deployment packages are content-addressed: a zip is stored once, by
// its SHA-256, however many versions and layers use it, and extracted
// once into the cache; it is deleted when nothing uses it. Extraction
// refuses absolute paths, paths and links that leave the package, and
// more than 250 MB unzipped, and keeps execute bits.
//
// A package may be given inline (ZipFile) or in S3 (S3Bucket, S3Key and
// S3ObjectVersion, for CreateFunction, UpdateFunctionCode and
// PublishLayerVersion): it is read from virga's S3 (Deps.Objects) once,
// when the call is made, and kept as an uploaded one is, so later changes
// to the object do not change the function. S3's errors are worded as
// Lambda words them ("Error occurred while GetObject. S3 Error Code:
// NoSuchKey. S3 Error Message: The specified key does not exist.").
// Packages `virga deploy` stored in its artifact store (bucket
// virga-artifacts) are read from there first.
//
// GetFunction's Code.Location and GetLayerVersion's Content.Location are
// URLs of CodeHandler, which the app mounts at CodePath (under /_virga/,
// outside the AWS APIs): signed, credential-free and valid for ten
// minutes, like the presigned S3 URLs AWS returns.
//
// Concurrency: the functions and layers are cached in memory under
// Service.mu and written through to the store; values in those maps are
// replaced, never changed in place, so readers may use one after
// unlocking. Writers hold Service.mu across read, store commit and
// replace. Lock order: Service.mu, then specCache.mu or asyncQueue.mu or
// an extraction lock; never the reverse. Extraction of a new package
// runs before Service.mu is taken.
//
// Resource-based policies (a function's, a version's or alias's, a layer
// version's) are stored and rendered as AWS renders them; with --auth
// iam a function's (or version's, alias's) policy is the resource-based
// policy of calls on it (authz.go). Layer version policies are not
// enforced; function policies are enforced on invocations from
// SNS topics, EventBridge rules, S3 notifications and REST APIs
// (internal/app), not on those of HTTP APIs and event source mappings.
// A function URL with AuthType NONE is held to its function's policy in
// every auth mode (package apigatewayv2): AddPermission's
// FunctionUrlAuthType and InvokedViaFunctionUrl write the conditions
// that make a URL public. Function states: a new function is reported
// Pending by CreateFunction and Active afterwards; an update is reported
// InProgress by the update and Successful afterwards, because virga
// finishes both before answering. As in Lambda, each change of
// state gives the function a new RevisionId: the one in CreateFunction's
// or an update's answer is not the one GetFunction reports afterwards,
// and a RevisionId precondition needs the latter.
//
// Layers AWS publishes in accounts of its own (awslayers.go), which
// virga cannot download: a function may name the AWS Parameters and
// Secrets Lambda Extension (AWS-Parameters-and-Secrets-Lambda-Extension
// or its -Arm64 twin, of any account but this one, any version), which
// virga provides itself (package functions/paramsecrets: its API on
// 127.0.0.1:2773 inside each environment, backed by virga's SSM and
// Secrets Manager). Its entry in Layers has CodeSize 0 and it adds
// nothing under /opt.
//
// Powertools for AWS Lambda's layers (accounts 017000801446 and
// 094274105915) virga builds itself, from the public package registries
// with their own clients (package pkginstall), on first use:
//
//   - AWSLambdaPowertoolsTypeScriptV2 (and AWSLambdaPowertoolsTypeScript,
//     1.x): npm installs the @aws-lambda-powertools packages the layer
//     ships (commons, logger, metrics, tracer, parameters, idempotency,
//     batch; 2.x adds jmespath and parser) into nodejs/node_modules.
//   - AWSLambdaPowertoolsPythonV3-python3XX-ARCH,
//     AWSLambdaPowertoolsPythonV2[-Arm64] and AWSLambdaPowertoolsPython
//     (1.x): pip installs aws-lambda-powertools[all] (1.x:
//     [pydantic]) into python/ with the pip of the interpreter that
//     runs Python functions whatever their runtime's version (virga up
//     --python, or the python3 first on PATH; functions.Manager.Python),
//     so that compiled dependencies such as pydantic-core match it. pip's own
//     configuration and PIP_* variables (PIP_INDEX_URL, PIP_FIND_LINKS,
//     PIP_NO_INDEX) apply, as npm's do to npm.
//
// A layer version number cannot be mapped to a release without AWS's
// table, so every version gets the newest release of the major version
// the layer's name says (V3 → 3.x). The content is built once per layer
// name and version into DataDir/lambda/awslayers/NAME-VERSION and shared
// by every function naming it (concurrent first uses build it once); it
// is mounted at /opt like any layer, and built again, at the next
// invocation, if the directory is gone. CreateFunction and
// UpdateFunctionConfiguration build it before answering, so a registry
// out of reach fails them with InvalidParameterValueException naming the
// layer and what could not be fetched; a build that failed is not
// tried again for pkginstall.RetryAfter (5 minutes): requests and
// invocations needing the layer meanwhile get the same failure without
// running the installer. The layer's CodeSize (in Layers,
// and in GetLayerVersion / GetLayerVersionByArn's Content, which has no
// Location or CodeSha256: there is no archive) is the built content's
// size on disk, unzipped: larger than AWS's zipped figure. Other layers
// of those accounts (other languages) are refused with
// InvalidParameterValueException: virga has no copy of their content.
// Any other account's layer is "Layer version ARN does not exist.".
//
// virga holds one account. A function named by an ARN of another
// account is answered as Lambda answers a caller that account grants
// nothing: AccessDeniedException, worded as IAM words the denial
// (CreateFunction's has no message, as Lambda's has none).
//
// The deprecated InvokeAsync is an Event invocation of its InvokeArgs,
// queued as Invoke queues one and answered 202.
//
// Function URLs, event source mappings (SQS, DynamoDB Streams, Kinesis
// Data Streams) and event
// invoke configs (retries, destinations, dead-letter queues) are served
// here too; see their files. An S3 bucket (arn:aws:s3:::BUCKET) is a
// destination for failures only: an asynchronous invocation's record is
// written to aws/lambda/async/FUNCTION/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-UUID
// and a stream mapping's, with the discarded batch's event as its
// payload, to aws/lambda/MAPPING-UUID/SHARD/..., as Lambda names them. The mappings read their sources, gather
// queue batches, schedule shard readers, filter records and settle a
// stream's failing batches (retries, bisection, record age, partial
// batch responses) with package eventsource, which EventBridge Pipes
// shares. A mapping has one set of
// pollers at a time: a set started by an update, or by enabling it
// again, waits until the set it replaces has finished its batch
// (eventsource.Relay, which pipes' readers use too).
// mappings.mu guards the mappings; mappings.ckMu, taken after it,
// orders pollers' checkpoint writes with DeleteEventSourceMapping, so
// that a deleted mapping's poller writes none after the delete.
//
// Provisioned concurrency (provisioned.go): a published version or an
// alias (not $LATEST, nor an alias of it) keeps that many environments
// initialized, through Manager.Provision on the version's Spec (an
// alias's, on its version). The amount fits in the function's reserved concurrency or, for a
// function without, leaves the account's unreserved pool (which
// GetAccountSettings reports net of it) at its minimum; a reservation
// may not be made smaller than the function's provisioned concurrency,
// and the minimum a reservation must leave counts the provisioned
// concurrency of functions without one. Invocations are admitted by the
// same numbers (concurrency.go): a version runs up to its provisioned
// concurrency on it, and beyond on demand, from its function's
// reservation less what is provisioned (so $LATEST is throttled when
// provisioned concurrency takes the whole reservation) or from the
// shared pool that GetAccountSettings reports. Put answers 202
// IN_PROGRESS; Get reports READY when the environments have all
// initialized, FAILED with the init's error as StatusReason when one
// could not. A version has one configuration, on itself or on one alias:
// Put refuses a second, and UpdateAlias refuses to move a configured
// alias onto a configured version (with Put's sentence). An alias with a
// routing configuration cannot be configured; one that is configured may
// be given a routing configuration afterwards. A weighted alias picks a
// version for each invocation in proportion to AdditionalVersionWeights
// (the primary takes the rest); the invocation then runs on what that
// version has, its provisioned environments included, whichever
// qualifier configured them. Deleting the
// configuration, the alias, the version or the function releases the
// environments; moving the alias moves them. The configurations are
// stored with the function and start their environments again when virga
// starts.
//
// Metrics (metrics.go): every invocation that reaches a function, and
// every throttled one, is handed to Deps.Metrics (Observe) with its
// function, its Resource ("name:qualifier" when the caller named a
// version or alias), whether it failed, its duration and the invocations
// then running of the function and of the account; the app turns these
// into CloudWatch's AWS/Lambda Invocations, Errors, Throttles, Duration
// and ConcurrentExecutions. An alias invocation also carries the version
// that ran it (ExecutedVersion, a third dimension set), and one that ran
// on provisioned concurrency, or spilled over from it, says so (the
// ProvisionedConcurrency metrics, whose utilization is the version's
// provisioned environments in use over those allocated, at the
// invocation's start). Count records the rest, by function and Resource:
// AsyncEventsReceived when an asynchronous invocation is queued,
// AsyncEventAge (from queueing to each attempt) and AsyncEventsDropped
// when one is discarded (retries or age exhausted, function or
// qualifier deleted); DestinationDeliveryFailures and DeadLetterErrors
// when a destination or dead-letter queue refuses an outcome; and
// IteratorAge, the age of a stream batch's last record when the
// function is invoked with it. Observe and Count take no lock of
// Lambda's and do no I/O. Not counted yet: the provisioned metrics are
// per invocation, not sampled while idle; DestinationDeliveryFailures of
// stream mappings' OnFailure destinations; event source mapping metrics
// (MetricsConfig), OffsetLag, ClaimedAccountConcurrency
// and UnreservedConcurrentExecutions.
//
// Recursive loop detection (recursion.go): every invocation counts its
// function in the Lineage field of its trace header (package traceheader),
// which the function's SDK calls carry on to SQS (the message's
// AWSTraceHeader, which an SQS mapping hands to the next invocation, a
// batch with the highest count of any of its messages), SNS (whose
// invocations and SQS messages take the trace of the Publish that caused
// them, or of the S3 notification a topic got), S3 (whose notifications
// keep the trace of the change's request, passed in with
// traceheader.NewContext) and Invoke. EventBridge, which AWS's detection
// does not follow, passes the trace on without its Lineage, so a chain
// through a rule counts afresh and is not stopped. A function that has run 16 times in
// one chain is not run again unless its RecursiveLoop is Allow
// (PutFunctionRecursionConfig, or the RecursiveLoop property of
// AWS::Lambda::Function): the invocation fails with
// RecursiveInvocationException and counts in RecursiveInvocationsDropped.
// Invoke answers that error; an asynchronous invocation goes to its
// dead-letter queue or on-failure destination at once, without retries; an
// SQS mapping leaves the batch in its queue, for the queue's redrive
// policy. AWS's notifications (email, Health Dashboard) have no
// counterpart. The lineage counts each function once whatever version or
// alias ran (a hash of its unqualified ARN), and a malformed Lineage
// starts a new chain.
//
// Tracing (tracing.go): Lambda traces an invocation itself as
// TracingConfig documents the modes. PassThrough traces a request whose
// upstream X-Amzn-Trace-Id says Sampled=1; Active respects the upstream
// decision and, without one, applies the account's X-Ray sampling rules
// (ServiceName the function's name, ServiceType AWS::Lambda::Function;
// by default the first request each second, then 5%), and an invocation
// it does not sample gets a header that says Sampled=0. A traced invocation gets an AWS::Lambda
// segment (the service, under the caller's Parent) and an
// AWS::Lambda::Function segment under it, with Initialization (cold
// starts), Invocation and Overhead subsegments, handed to X-Ray's
// asynchronous writer after the invocation; the function's trace header
// (Lambda-Runtime-Trace-Id, _X_AMZN_TRACE_ID) names the function segment
// as Parent. An asynchronous invocation is judged by the header its
// caller sent, recorded with it; one from an event source mapping by the
// header it carries.
//
// Not supported yet: a configured alias with a routing configuration
// keeps all its provisioned environments on its primary version, and the
// additional version's share of invocations runs on demand; AWS
// allocates provisioned concurrency to both versions while the alias
// routes (AllocatedProvisionedConcurrentExecutions "fluctuates depending
// on the amount of concurrency that is provisioned for the function
// versions"), by a rule it does not document. Nor does virga shift a
// configured alias's traffic gradually when it moves to a new version,
// as Lambda does until the new version's environments are ready: it
// moves at once, and the new version's environments start then.
//
// Container image functions (image.go): CreateFunction with PackageType
// Image takes Code.ImageUri, which must name an image of this account's
// and region's registry by tag or digest
// (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG, or virga's
// ACCOUNT.dkr.ecr.REGION.localhost:PORT/REPO:TAG; "Source image URI is
// not valid. Provide a valid source image." otherwise) and must exist in
// virga's ECR (Deps.Images; "Source image URI does not exist. Provide a
// valid source image."). The tag is resolved to its digest when the
// function is created or its code updated, and the function runs that
// digest until the next UpdateFunctionCode, as Lambda does: GetFunction
// reports Code.RepositoryType ECR, ImageUri as given and
// ResolvedImageUri (the repository at the digest), CodeSha256 is the
// digest's hex and CodeSize 0. Handler, Runtime and Layers are refused
// ("Please don't provide Handler or Runtime or Layer when the intended
// function PackageType is Image."), by UpdateFunctionConfiguration too;
// UpdateFunctionCode of an image function needs ImageUri ("Please
// provide ImageUri when updating a function with packageType Image.").
// ImageConfig (EntryPoint, Command, WorkingDirectory) overrides the
// image's ENTRYPOINT, CMD and WORKDIR, and is reported as
// ImageConfigResponse. The Spec carries the image by digest at virga's
// own registry address (functions.Image), which package functions runs
// through the node agent. An ImageUri given to a Zip function is
// refused with virga's own sentence (Lambda's is unconfirmed).
// With --auth iam (EnforceImageAccess) the image's repository must let
// Lambda's service principal read it, as Lambda requires: when its
// policy does not allow lambda.amazonaws.com ecr:BatchGetImage and
// ecr:GetDownloadUrlForLayer (aws:SourceArn the function's ARN), Lambda
// adds a statement that does (Sid LambdaECRImageRetrievalPolicy),
// creating the policy if need be, provided the caller may
// ecr:GetRepositoryPolicy and ecr:SetRepositoryPolicy on the
// repository; otherwise CreateFunction and UpdateFunctionCode answer
// AccessDeniedException (403) "Lambda does not have permission to
// access the ECR image. Check the ECR permissions.". Without --auth iam
// every repository is readable and its policy is left alone (Lambda
// would add the statement there too). The image is checked when the
// code is given only: a function whose repository stops allowing
// Lambda later keeps running (Lambda's would fail).
//
// Not supported yet: GetLayerVersion and GetLayerVersionByArn of an
// AWS-published layer (ResourceNotFoundException; AWS answers with the
// public layer's content, compatible runtimes and architectures), the
// true CodeSize of the AWS Parameters and Secrets Lambda Extension's
// layer, and a check that its version exists (any number is accepted);
// Powertools for AWS Lambda layers (refused, above).
//
// Not supported yet (the operation answers UnknownOperationException, or
// InvalidParameterValueException for the parameter): images in other
// accounts' or regions' registries, or outside ECR (AWS allows
// cross-account ECR images by repository policy), ImageConfigResponse's
// Error, an image function's state going Inactive or Failed when its
// image is deleted (virga keeps the function Active; its next cold start
// fails), Lambda's check of the image's architecture against
// Architectures, code signing
// configurations (GetFunctionCodeSigningConfig and ListCodeSigningConfigs
// answer that there are none). An event
// source mapping's MetricsConfig and ProvisionedPollerConfig are kept and
// returned, but virga publishes no mapping metrics and its pollers do not
// follow the provisioned minimum and maximum.
//
// A stream mapping's TumblingWindowInSeconds groups its batches into
// windows that carry the function's state from one invocation to the
// next and end with a final invocation (esm_window.go). A window ends
// when its end has passed and its shard is read to its end, at once,
// where AWS waits for up to two minutes for late records of Kinesis
// streams; a mapping with a tumbling window processes one batch per
// shard at a time whatever its ParallelizationFactor.
//
// Kinesis mappings read a stream's shards directly, also when their
// EventSourceArn is an enhanced fan-out consumer's (the consumer must be
// registered: its stream's shards are read as the stream's, and the
// records' eventSourceARN is the mapping's, the consumer's ARN, which is
// unconfirmed against AWS), list the
// shards every second and read a shard a reshard made once its parents
// are read to their end (or past retention); a shard's reader that stops
// on an error (a checkpoint it cannot read) starts again after a backoff
// of one second, doubling to 30 seconds. They
// filter on a record's data only when it is JSON, as Lambda does; a
// record whose data is not JSON matches no pattern that names data, and
// Kinesis aggregated (KPL) records are not unpacked. The wording of
// Lambda's answer to a Kinesis mapping of a missing stream is virga's
// own (DynamoDB's), unconfirmed against AWS.
//
// Execution roles (roles.go): with --auth iam (EnforceRoles) Lambda acts
// as a function's execution role where AWS does. CreateEventSourceMapping
// refuses a queue the role cannot call sqs:ReceiveMessage,
// sqs:DeleteMessage and sqs:GetQueueAttributes on ("The function
// execution role does not have permissions to call ReceiveMessage on
// SQS") and a stream it cannot call GetRecords, GetShardIterator and
// DescribeStream on ("Cannot access stream ARN. Please ensure the role
// can perform ..."), with InvalidParameterValueException; each poll is
// then authorized as the role, and a denied one reads nothing and sets
// LastProcessingResult to PROBLEM with the denial. Put and
// UpdateFunctionEventInvokeConfig, and a stream mapping's OnFailure
// destination, are refused when the role may not send to the
// destination (sqs:SendMessage, sns:Publish, lambda:InvokeFunction,
// events:PutEvents: "The function's execution role does not have
// permissions to call SendMessage on ARN"); destinations and dead-letter
// queues are sent to as the role (deliver.Role), and a send it may no
// longer make is dropped and counted (DestinationDeliveryFailures,
// DeadLetterErrors). CreateFunction and UpdateFunctionConfiguration
// refuse a role that does not exist or whose trust policy does not allow
// lambda.amazonaws.com sts:AssumeRole ("The role defined for the
// function cannot be assumed by Lambda.") and a DeadLetterConfig target
// the role may not send to ("The provided execution role does not have
// permissions to call SendMessage on SQS", or Publish on SNS), with
// InvalidParameterValueException; the trust policy is evaluated without
// aws:SourceArn or aws:SourceAccount. Not checked yet:
// kinesis:ListShards and the ListStreams AWS's message names, and
// UpdateEventSourceMapping changes of function or destination.
package lambda
