package app

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"

	"github.com/virga/virga/internal/acm"
	"github.com/virga/virga/internal/agent"
	"github.com/virga/virga/internal/apigateway"
	"github.com/virga/virga/internal/apigatewayv2"
	"github.com/virga/virga/internal/applicationautoscaling"
	"github.com/virga/virga/internal/artifacts"
	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/cfn/providers" // CloudFormation's resource types
	"github.com/virga/virga/internal/cfn/sam"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/cloudcontrol"
	"github.com/virga/virga/internal/cloudformation"
	"github.com/virga/virga/internal/cloudtrail"
	"github.com/virga/virga/internal/cloudwatch"
	"github.com/virga/virga/internal/cognitoidentity"
	"github.com/virga/virga/internal/cognitoidp"
	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/console"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/dynamodb"
	"github.com/virga/virga/internal/ec2"
	"github.com/virga/virga/internal/ecr"
	"github.com/virga/virga/internal/ecs"
	"github.com/virga/virga/internal/edge"
	"github.com/virga/virga/internal/elbv2"
	"github.com/virga/virga/internal/events"
	"github.com/virga/virga/internal/eventsource"
	"github.com/virga/virga/internal/firehose"
	"github.com/virga/virga/internal/functions"
	"github.com/virga/virga/internal/functions/paramsecrets"
	"github.com/virga/virga/internal/headercase"
	"github.com/virga/virga/internal/iam"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/kinesis"
	"github.com/virga/virga/internal/kms"
	"github.com/virga/virga/internal/lambda"
	"github.com/virga/virga/internal/localtls"
	"github.com/virga/virga/internal/logs"
	"github.com/virga/virga/internal/metrics"
	"github.com/virga/virga/internal/pipes"
	"github.com/virga/virga/internal/route53"
	"github.com/virga/virga/internal/s3"
	"github.com/virga/virga/internal/scheduler"
	"github.com/virga/virga/internal/secretsmanager"
	"github.com/virga/virga/internal/ses"
	"github.com/virga/virga/internal/ses/sesv2"
	"github.com/virga/virga/internal/sns"
	"github.com/virga/virga/internal/sqs"
	"github.com/virga/virga/internal/ssm"
	"github.com/virga/virga/internal/stepfunctions"
	"github.com/virga/virga/internal/store"
	pebblestore "github.com/virga/virga/internal/store/pebble"
	pgstore "github.com/virga/virga/internal/store/sql"
	"github.com/virga/virga/internal/sts"
	"github.com/virga/virga/internal/throttle"
	"github.com/virga/virga/internal/xray"
)

// App is a running virga.
type App struct {
	cfg      config.Config
	log      *slog.Logger
	clock    clock.Clock
	store    store.Store
	services []*awsproto.Service
	handler  http.Handler
	started  time.Time

	// closers stop components that hold processes or files (function
	// environments), after the background loops and before the store.
	closers     []func() error
	codeHandler http.Handler
	// email is SES, whose mailbox the internal handler serves.
	email *ses.Service
	// artifacts keeps the packages virga deploy uploads.
	artifacts *artifacts.Store
	// consoleToken is what the web console's API asks for when virga
	// checks credentials; "" under --auth accept.
	consoleToken string
	// tls is virga's certificate authority, for HTTPS on the edge's
	// port (package localtls).
	tls *localtls.Authority
	// queues is SQS, whose long polls Shutdown ends first.
	queues *sqs.Service
	// stacks is CloudFormation, whose calls waiting for their operations
	// Shutdown ends first too.
	stacks *cloudformation.Service
	// pipes is EventBridge Pipes, whose roles are enforced with --auth
	// iam once IAM's authorizer is made.
	pipes *pipes.Service
	// buckets is S3.
	// userPools is Cognito user pools, whose pending confirmation codes
	// virga's own endpoint shows.
	userPools *cognitoidp.Service
	buckets   *s3.Service
	// restAPIs serves EventBridge's API Gateway targets (restStages).
	restAPIs *apigateway.Service
	// traces is X-Ray, and daemon its UDP daemon (nil when off).
	traces *xray.Service
	daemon *xray.Daemon
	// serviceStats gathers the services' own metrics (AWS/Lambda,
	// AWS/SQS, metric filters') for CloudWatch.
	serviceStats *cloudwatch.Aggregator

	// containers runs containers (ECS tasks) through containerd; it
	// starts nothing until the first task.
	containers *agent.Agent
	// taskEndpoints serves ECS tasks' metadata and credentials.
	taskEndpoints http.Handler
	// customResponses are CloudFormation's custom resources' response
	// URLs.
	customResponses *providers.ResponseURLs
	// waitHandles are wait condition handles' URLs, which the edge
	// serves.
	waitHandles *providers.WaitHandles
	// ids gives in-process calls their request ids.
	ids *ids.Generator
	// metrics is what GET /_virga/metrics serves.
	metrics *metrics.Registry

	// background are the loops that run while virga serves (TTL sweeps);
	// Shutdown stops them before closing the store.
	background []func(context.Context)
	stopBG     context.CancelFunc
	bgDone     sync.WaitGroup

	server   *http.Server
	listener net.Listener
	serveErr chan error
	stopOnce sync.Once
}

// Options are the parts of an App that tests replace. Zero values mean
// the real ones.
type Options struct {
	Logger *slog.Logger
	Clock  clock.Clock
	// Random is the source of randomness for ids; nil is crypto/rand.
	Random io.Reader
	// ContainerRuntime runs ECS tasks' containers; nil is the node
	// agent (containerd).
	ContainerRuntime ecs.Runtime
	// Ready, when set, is called by Run once virga serves, with its
	// endpoint (virga up -t deploys a template then).
	Ready func(endpoint string)
}

// openStore opens the store cfg.Store names.
func openStore(cfg config.Config, log *slog.Logger) (store.Store, error) {
	if cfg.StoreIsSQL() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return pgstore.Open(ctx, pgstore.Options{URL: cfg.Store, Logger: log.With("component", "store")})
	}
	return pebblestore.Open(pebblestore.Options{Dir: cfg.DataDir, InMemory: cfg.InMemory, Fsync: cfg.Fsync, Logger: log})
}

// New builds virga from its configuration: the store is opened (and
// locked) here, so a second virga on the same data directory fails now.
func New(cfg config.Config, o Options) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	db, err := openStore(cfg, o.Logger)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: o.Logger, clock: o.Clock, store: db, started: o.Clock.Now()}
	if err := a.openAuthority(); err != nil {
		db.Close()
		return nil, err
	}
	if cfg.Auth != config.AuthAccept {
		a.consoleToken = rand.Text()
	}
	g := ids.New(o.Random)
	a.ids = g

	iamSvc := iam.New(iam.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID})
	stsSvc := sts.New(sts.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Roles: iamSvc, Providers: iamSvc})
	// KMS is made before the services that check the keys they are
	// told to encrypt with.
	keys, err := kms.New(kms.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region})
	if err != nil {
		db.Close()
		return nil, err
	}
	// Kinesis Data Streams is made before DynamoDB, which delivers
	// tables' changes to it, and Lambda, whose event source mappings
	// read it.
	streams := kinesis.New(kinesis.Deps{Store: db, Clock: o.Clock, Account: cfg.AccountID, Region: cfg.Region, Keys: keys})
	// SQS's metrics go to CloudWatch, made below (before SQS runs).
	queueStats := &queueMetrics{log: o.Logger}
	queues, err := sqs.New(sqs.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region, Metrics: queueStats})
	if err != nil {
		db.Close()
		return nil, err
	}
	a.queues = queues
	route := &targets{sqs: queues}
	// Alarms notify SNS topics through route, whose SNS is set below.
	cw, err := cloudwatch.New(cloudwatch.Deps{Store: db, Clock: o.Clock, Account: cfg.AccountID, Region: cfg.Region,
		Notifier: alarmTopics{route}, Functions: alarmFunctions{route, cfg.AccountID}, Logger: o.Logger})
	if err != nil {
		db.Close()
		return nil, err
	}
	serviceStats := cloudwatch.NewAggregator(cw)
	a.serviceStats = serviceStats
	queueStats.cw = cw
	cwl, err := logs.New(logs.Deps{Store: db, Clock: o.Clock, Account: cfg.AccountID, Region: cfg.Region,
		Destinations: subscriptionTargets{route}, Metrics: filterMetrics{serviceStats}})
	if err != nil {
		db.Close()
		return nil, err
	}
	// DynamoDB is made after CloudWatch Logs, where its imports log
	// their invalid items.
	ddb, err := dynamodb.New(dynamodb.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region,
		Kinesis: streams, Buckets: objects{a}, ImportLogs: importLogs{cwl.Sink()}})
	if err != nil {
		db.Close()
		return nil, err
	}
	a.artifacts = artifacts.New(db)
	// --otlp-endpoint: X-Ray's segments go on to a collector as spans.
	var spans xray.SpanSink
	var closeSpans func() error
	if cfg.OTLPEndpoint != "" {
		bsp, closer, err := newSpanExporter(cfg.OTLPEndpoint, o.Logger)
		if err != nil {
			db.Close()
			return nil, err
		}
		spans, closeSpans = bsp, closer
	}
	traces, err := xray.New(xray.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region, Logger: o.Logger,
		Spans: spans})
	if err != nil {
		db.Close()
		return nil, err
	}
	a.traces = traces
	// The daemon's port may be taken (by AWS's own daemon, or another
	// virga): virga then runs without it, and says so.
	var daemon *xray.Daemon
	if cfg.XRayDaemon != "" && cfg.XRayDaemon != "0" {
		if daemon, err = traces.ListenDaemon(cfg.XRayDaemon, o.Logger); err != nil {
			o.Logger.Warn("the X-Ray daemon is off: its address is not available (see --xray-daemon)", "addr", cfg.XRayDaemon, "err", err)
			daemon = nil
		}
	}
	daemonAddr := ""
	if daemon != nil {
		daemonAddr = daemon.Addr()
	}
	// The node agent runs ECS tasks and Lambda image functions; it pulls
	// from virga's ECR with tokens ECR mints (registry, set once ECR is
	// made below).
	containersDir, err := containersDir(cfg)
	if err != nil {
		if daemon != nil {
			daemon.Close()
		}
		db.Close()
		return nil, err
	}
	registry := &registryRef{}
	a.containers = agent.New(agent.Options{DataDir: containersDir, ContainerdAddress: cfg.ContainerdAddress,
		HostVolumeRoot: cfg.HostVolumeRoot,
		Credentials:    registryCredentials(a, registry.p.Load), Logger: o.Logger.With("component", "containers")})
	// The AWS Parameters and Secrets Lambda Extension calls SSM and
	// Secrets Manager at the functions' endpoint, over HTTPS too.
	paramsSecrets := paramsecrets.New(paramsecrets.Options{Client: edgeClient(a.tls), Clock: o.Clock,
		Logger: o.Logger.With("component", "paramsecrets")})
	a.closers = append(a.closers, paramsSecrets.Close)
	fns, err := functions.New(functions.Options{WorkDir: functionsDir(cfg), Logger: o.Logger, XRayDaemon: daemonAddr, Containers: a.containers,
		Python: cfg.Python, Node: cfg.Node, Ruby: cfg.Ruby, Java: cfg.Java,
		CAFile: a.tls.CAPath(), CABundleFile: a.tls.BundlePath(), ParamsSecrets: paramsSecrets})
	if err != nil {
		if daemon != nil {
			daemon.Close()
		}
		db.Close()
		return nil, err
	}
	if daemon != nil {
		a.daemon = daemon
		a.closers = append(a.closers, daemon.Close)
	}
	a.metrics = metrics.New()
	a.metrics.Register(metrics.Functions(fns.Stats))
	// The embedded store reports its engine's figures; PostgreSQL
	// reports its own to its own monitoring.
	if pdb, ok := db.(*pebblestore.DB); ok {
		a.metrics.Register(metrics.Store(pdb.Stats))
	}
	roles := &roleCache{sts: stsSvc, clock: o.Clock, entries: map[[2]string]sts.RoleCredentials{}}
	network := ec2.New(ec2.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region})
	lam, err := lambda.New(lambda.Deps{
		Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region, Subnets: network,
		Endpoint:           a.endpoint,
		DataDir:            dataDirOrEmpty(cfg),
		Functions:          fns,
		Roles:              roles,
		Logs:               logSink{cwl.FunctionSink()},
		AccountConcurrency: cfg.LambdaConcurrency,
		Queues:             queueSource{queues},
		Streams:            streamSource{ddb},
		Kinesis:            kinesisSource{streams},
		Destinations:       route,
		Artifacts:          a.artifacts,
		Objects:            objects{a},
		Images:             registry,
		Metrics:            lambdaMetrics{serviceStats},
		Traces:             traces,
	})
	if err != nil {
		fns.Close()
		db.Close()
		return nil, err
	}
	// EC2 asks each service that places resources in subnets and
	// security groups whether it still uses one before deleting it.
	network.RegisterUser(lam.UsesNetwork)
	network.RegisterInterfaces(lam.NetworkInterfaces)
	route.lambda = lam
	bus, err := events.New(events.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region, Targets: route,
		RestAPIs: restStages{a}})
	if err != nil {
		fns.Close()
		db.Close()
		return nil, err
	}
	route.events = bus
	topics, err := sns.New(sns.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region,
		Endpoint: a.endpoint, Queues: topicQueues{queues, route}, Functions: lam, Firehose: firehoseRecords{route},
		FunctionPermitted: func(ctx context.Context, function, topicARN string) error {
			return route.principals.check(ctx, deliver.Sender{Principal: "sns.amazonaws.com", SourceARN: topicARN,
				SourceAccount: deliver.Account(topicARN)}, function)
		}, Logger: o.Logger})
	if err != nil {
		fns.Close()
		db.Close()
		return nil, err
	}
	route.sns = topics
	a.closers = append(a.closers, fns.Close, lam.Close)
	a.closers = append(a.closers, func() error {
		err := a.containers.Close()
		if cfg.InMemory {
			os.RemoveAll(containersDir)
		}
		return err
	})
	a.codeHandler = lam.CodeHandler()
	zones := route53.New(route53.Deps{Store: db, Clock: o.Clock, IDs: g})
	a.services = []*awsproto.Service{stsSvc.API(), iamSvc.API(), ddb.API(), ddb.StreamsAPI(), cwl.API(), lam.API(), queues.API(), bus.API(), topics.API(), cw.API(), network.API(),
		zones.API()}
	trailStopped := make(chan struct{})
	a.background = append(a.background,
		func(ctx context.Context) { ddb.Run(ctx, o.Logger) },
		func(ctx context.Context) { cwl.Run(ctx, o.Logger) },
		func(ctx context.Context) { lam.Run(ctx, o.Logger) },
		func(ctx context.Context) { queues.Run(ctx, o.Logger) },
		// EventBridge stops once CloudTrail has: CloudTrail's last
		// flush, as it stops, puts "AWS API Call via CloudTrail" events
		// on the bus, and only a running bus delivers them to API
		// destinations and waits for those deliveries.
		func(ctx context.Context) { bus.Run(stopsAfter(ctx, trailStopped), o.Logger) },
		func(ctx context.Context) { topics.Run(ctx, o.Logger) },
		func(ctx context.Context) { cw.Run(ctx, o.Logger) },
		func(ctx context.Context) { serviceStats.Run(ctx, o.Logger) })

	// Universal targets call any write action of virga's services in
	// process.
	route.universal = a.callUniversal
	route.runTask = a.runTask
	sched, err := scheduler.New(scheduler.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region,
		Targets: route, Operations: a.hasUniversalOperation})
	if err != nil {
		fns.Close()
		db.Close()
		return nil, err
	}
	a.services = append(a.services, sched.API(), traces.API())
	a.background = append(a.background, func(ctx context.Context) { traces.Run(ctx, o.Logger) })

	a.background = append(a.background, func(ctx context.Context) { sched.Run(ctx, o.Logger) })

	static := map[string]awsproto.Credential{}
	for _, c := range cfg.Credentials {
		static[c.AccessKeyID] = awsproto.Credential{
			AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
			Caller: awsproto.Caller{Account: cfg.AccountID},
		}
	}
	auth := &edge.Authenticator{
		Verify:    cfg.Auth == config.AuthSigV4 || cfg.Auth == config.AuthIAM,
		Static:    static,
		Temporary: credentialSources{iamSvc, stsSvc},
		Account:   cfg.AccountID,
		Clock:     o.Clock,
	}
	// ACM validates certificates by the records of Route 53's zones,
	// and names the custom domain names that use them, which check
	// their certificates with it, as load balancers' listeners
	// and user pools' custom domains do.
	certUsers := &certificateUsers{region: cfg.Region}
	certificates := acm.New(acm.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region,
		DNS: zones, Users: certUsers})
	userPools, err := cognitoidp.New(cognitoidp.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID,
		Region: cfg.Region, Logger: o.Logger, Functions: lam, Certificates: certificates})
	if err != nil {
		fns.Close()
		db.Close()
		return nil, err
	}
	a.userPools = userPools
	certUsers.pools = userPools
	a.services = append(a.services, userPools.API())
	// Identity pools trade user pools' tokens (and guests) for
	// credentials of their roles, which STS issues.
	identityPools, err := cognitoidentity.New(cognitoidentity.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID,
		Region: cfg.Region, Logger: o.Logger, UserPools: userPools, Roles: identityRoles{stsSvc}})
	if err != nil {
		fns.Close()
		db.Close()
		return nil, err
	}
	a.services = append(a.services, identityPools.API())
	// AssumeRoleWithWebIdentity verifies the tokens of user pools and
	// identity pools with their keys.
	stsSvc.VerifyTokensWith(tokenIssuers{pools: userPools, identities: identityPools, region: cfg.Region})
	accessLogs := &accessLogSink{s: cwl.Sink(), streams: map[[2]string]*logs.StreamWriter{}}
	a.closers = append(a.closers, accessLogs.Close)
	// API Gateway throttles all of an account's APIs, REST, HTTP and
	// WebSocket, with one account-level token bucket.
	accountThrottle := throttle.New(throttle.AccountRate, throttle.AccountBurst)
	// REST APIs keep the custom domain names both APIs share.
	restAPIs, err := apigateway.New(apigateway.Deps{Certificates: certificates, Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID,
		Region: cfg.Region, Functions: lam, AWS: serviceIntegrations{a: a, roles: roles}, AccessLogs: accessLogs,
		AccountThrottle: accountThrottle, Traces: traces, UserPools: userPools, Identify: auth.Identify,
		Permitted: func(ctx context.Context, function, sourceARN, roleARN string) error {
			return route.apiGatewayInvoke(ctx, cfg.AccountID, function, sourceARN, roleARN)
		}})
	if err != nil {
		fns.Close()
		db.Close()
		return nil, err
	}
	// Private integrations reach load balancers' listeners, which are
	// made below.
	privateListeners := &balancerListeners{}
	// authz decides with IAM's policies: with --auth iam every call, and
	// in every mode what needs no identity (a public function URL). It
	// keeps the resource policies it parsed.
	authz := iamSvc.Authorizer()
	// callerPolicies holds a data plane's caller (nil for an unsigned
	// request) to its identity policies and the resource's policy.
	callerPolicies := func(ctx context.Context, r *http.Request, caller *awsproto.Caller, service, action, resource string, extra map[string][]string) error {
		return authz.AuthorizeCaller(ctx, caller, r, cfg.Region, a.Service(service), action, resource, extra)
	}
	httpAPIs, err := apigatewayv2.New(apigatewayv2.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID,
		Region: cfg.Region, Functions: lam, Services: inProcessServices{a}, AWS: serviceIntegrations{a: a, roles: roles},
		Domains: restAPIs, Logger: o.Logger, Identify: auth.Identify,
		AccessLogs: accessLogs, AccountThrottle: accountThrottle, Issuers: userPools,
		Permitted: func(ctx context.Context, function, sourceARN, roleARN string) error {
			return route.apiGatewayInvoke(ctx, cfg.AccountID, function, sourceARN, roleARN)
		},
		// A public function URL needs its function's policy to allow
		// everyone in every auth mode, as on AWS: the check needs no
		// identity, so it does not wait for --auth iam.
		URLPolicy: callerPolicies,
		HostNames: fns.AddHostNames, Network: network, Listeners: privateListeners})
	if err != nil {
		fns.Close()
		db.Close()
		return nil, err
	}
	a.services = append(a.services, httpAPIs.API())
	// WebSocket connections are closed before the functions their
	// $disconnect routes run stop.
	a.closers = append([]func() error{httpAPIs.Close}, a.closers...)
	a.services = append(a.services, restAPIs.API())
	a.restAPIs = restAPIs
	certUsers.apis = restAPIs
	a.services = append(a.services, certificates.API())
	// Usage counts reach the store every few seconds, and when virga
	// stops.
	a.background = append(a.background, func(ctx context.Context) { restAPIs.Run(ctx, o.Logger) })
	a.closers = append(a.closers, restAPIs.Close)

	// Application Load Balancers: each listener binds its own port on
	// 127.0.0.1 and is reachable through the edge by its DNS name.
	balancers, err := elbv2.New(elbv2.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region,
		Requests:  func(status int) { a.metrics.DataPlaneRequest("elb", status) },
		Functions: lam, Subnets: network, Logger: o.Logger, Certificates: certificates})
	if err != nil {
		fns.Close()
		db.Close()
		return nil, err
	}
	network.RegisterUser(balancers.UsesNetwork)
	certUsers.balancers = balancers
	privateListeners.b = balancers
	a.services = append(a.services, balancers.API())
	a.background = append(a.background, func(ctx context.Context) { balancers.Run(ctx, o.Logger) })
	// Listeners stop taking requests before the functions they invoke stop.
	a.closers = append([]func() error{balancers.Close}, a.closers...)

	a.services = append(a.services, keys.API())

	params, err := ssm.New(ssm.Deps{Store: db, Clock: o.Clock, Account: cfg.AccountID, Region: cfg.Region, Events: route, Keys: keys})
	if err != nil {
		balancers.Close()
		fns.Close()
		db.Close()
		return nil, err
	}
	a.services = append(a.services, params.API())
	// Parameter policies act as the clock reaches them.
	a.background = append(a.background, func(ctx context.Context) { params.Run(ctx, o.Logger) })
	secrets, err := secretsmanager.New(secretsmanager.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region,
		Functions: lam, Keys: keys})
	if err != nil {
		balancers.Close()
		fns.Close()
		db.Close()
		return nil, err
	}
	a.services = append(a.services, secrets.API())
	// Rotations invoke functions: they end first.
	a.closers = append([]func() error{secrets.Close}, a.closers...)

	// ECR: the API, and the registry the edge serves on the registry's
	// host names and on unsigned /v2/ requests.
	images, err := ecr.New(ecr.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region,
		RequireAuth: cfg.Auth != config.AuthAccept})
	if err != nil {
		fns.Close()
		db.Close()
		return nil, err
	}
	registry.set(images)
	a.services = append(a.services, images.API())
	// Lifecycle policies expire images as the clock passes their rules.
	a.background = append(a.background, func(ctx context.Context) { images.Run(ctx, o.Logger) })

	a.services = append(a.services, streams.API())
	// Records past their stream's retention period are dropped as the
	// clock passes it.
	a.background = append(a.background, func(ctx context.Context) { streams.Run(ctx, o.Logger) })

	// Firehose buffers records (put, or read from Kinesis) and writes
	// them to S3, made below and looked up at each delivery.
	hoses := firehose.New(firehose.Deps{Store: db, Functions: lam, Clock: o.Clock, IDs: g, Buckets: objects{a},
		Kinesis: kinesisSource{streams}, Account: cfg.AccountID, Region: cfg.Region, Logger: o.Logger})
	a.services = append(a.services, hoses.API())
	a.background = append(a.background, hoses.Run)
	route.firehose = hoses

	// Step Functions' executions run functions and call services in
	// process: they stop before those do, and resume when virga starts.
	// Task states' apigateway:invoke reaches REST and HTTP APIs through
	// the execute-api data plane the edge serves.
	executeAPI := apigatewayv2.DataPlane(httpAPIs, restAPIs.Handler)
	states := stepfunctions.New(stepfunctions.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region,
		Functions: lam, Call: a.call, SDK: a.sdkOperation, Objects: objects{a}, APIs: executeAPI, Logger: o.Logger, Logs: stateLogs{containerLogs{k: accessLogs, a: a}}, Events: route})
	a.services = append(a.services, states.API())
	route.states = states
	route.logs = cwl
	route.call = a.call

	// EventBridge Pipes reads queues and streams with the machinery
	// Lambda's event source mappings use, and reaches its enrichments
	// and targets in process.
	pipesSvc, err := pipes.New(pipes.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region,
		Queues: queueSource{queues}, Streams: streamSource{ddb}, Kinesis: kinesisSource{streams},
		Functions: lam, Call: a.call, Targets: route, HTTP: pipesHTTP{bus}})
	if err != nil {
		fns.Close()
		db.Close()
		return nil, err
	}
	a.pipes = pipesSvc
	// Application Auto Scaling reaches the tables, functions and
	// services it scales, and CloudWatch's alarms, in process.
	scaling := applicationautoscaling.New(applicationautoscaling.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID,
		Region: cfg.Region, Call: a.call})
	a.services = append(a.services, scaling.API())
	// Scaling policies that are alarm actions run when their alarm does.
	cw.ScaleWith(scaling)
	a.background = append(a.background, func(ctx context.Context) { scaling.Run(ctx, o.Logger) })
	a.services = append(a.services, pipesSvc.API())
	a.background = append(a.background, func(ctx context.Context) { states.Run(ctx, o.Logger) })
	a.background = append(a.background, func(ctx context.Context) { pipesSvc.Run(ctx, o.Logger) })
	a.closers = append([]func() error{states.Close}, a.closers...)

	a.customResponses = providers.NewResponseURLs(g)
	a.waitHandles = providers.NewWaitHandles(g)
	stacks, err := cloudformation.New(cloudformation.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID,
		Region: cfg.Region, Endpoint: a.endpoint, Call: a.call, Logger: o.Logger, Responses: a.customResponses, WaitHandles: a.waitHandles,
		DynamicReferences: dynamicReferences(params, secrets), SSMParameters: ssmParameterLookup(params), Objects: objects{a},
		Transform: func(ctx context.Context, name string, tree map[string]any, stackName string, params map[string]string) (map[string]any, []string, error) {
			return sam.Transform(tree, sam.Options{Region: cfg.Region, AccountID: cfg.AccountID, StackName: stackName, Parameters: params})
		}})
	if err != nil {
		balancers.Close()
		fns.Close()
		db.Close()
		return nil, err
	}
	a.stacks = stacks
	a.services = append(a.services, stacks.API(),
		cloudcontrol.New(cloudcontrol.Deps{Store: db, Stacks: stacks, Clock: o.Clock, IDs: g, Logger: o.Logger}).API())
	// The operations a stop cut short are taken up once virga serves:
	// their providers reach the services, and functions virga, through it.
	a.background = append(a.background, func(context.Context) { stacks.Resume() })

	// SES's two APIs share one core: identities, templates and the
	// mailbox the internal handler serves.
	email, err := ses.New(ses.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region,
		Topics: emailTopics{topics}, Logger: o.Logger})
	if err != nil {
		balancers.Close()
		fns.Close()
		db.Close()
		return nil, err
	}
	a.email = email
	a.services = append(a.services, email.API(), sesv2.New(email).API())

	// ECS runs its tasks' containers through the container runtime and
	// sends awslogs output to CloudWatch Logs. Its tasks stop before
	// the log writers flush.
	runtime := o.ContainerRuntime
	if runtime == nil {
		runtime = agentRuntime{a: a, images: registry.p.Load}
	}
	ts := taskSecrets{a: a, secrets: secrets, params: params}
	containers, err := ecs.New(ecs.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region,
		Runtime: runtime, Logs: containerLogs{k: accessLogs, a: a}, LoadBalancers: serviceTargets{balancers}, Network: network, Endpoint: a.taskEndpoint,
		Roles: taskRoles{roles}, Logger: o.Logger, Events: route,
		SecretValues: ts, Parameters: ts, Objects: ts})
	if err != nil {
		fns.Close()
		db.Close()
		return nil, err
	}
	network.RegisterUser(containers.UsesNetwork)
	a.services = append(a.services, containers.API())
	a.taskEndpoints = containers.MetadataHandler()
	a.background = append(a.background, containers.Run)
	a.closers = append([]func() error{containers.Close}, a.closers...)

	// S3 comes last: its routes (GET /{Bucket}/{Key+}) would claim any
	// unsigned REST request another service's routes do not.
	buckets, err := s3.New(s3.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region,
		Dir: s3Dir(cfg), Fsync: cfg.Fsync, Targets: route, FunctionExists: lam.FunctionExists,
		Permitted: route.permitted, Keys: keys})
	if err != nil {
		balancers.Close()
		fns.Close()
		db.Close()
		return nil, err
	}
	a.buckets = buckets
	route.buckets = buckets
	a.services = append(a.services, buckets.API())
	a.background = append(a.background, func(ctx context.Context) { buckets.Run(ctx, o.Logger) })

	// CloudTrail records every call the edge answers: management events
	// into the event history, and what logging trails take on to the
	// default event bus.
	trail, err := cloudtrail.New(cloudtrail.Deps{Store: db, Clock: o.Clock, IDs: g, Account: cfg.AccountID, Region: cfg.Region,
		Buckets: buckets, Events: route, LogFiles: buckets, Logger: o.Logger})
	if err != nil {
		balancers.Close()
		fns.Close()
		db.Close()
		return nil, err
	}
	a.services = append(a.services, trail.API())
	a.background = append(a.background, func(ctx context.Context) {
		defer close(trailStopped)
		trail.Run(ctx, o.Logger)
	})
	// Stack operations drive the other services: they stop first.
	a.closers = append([]func() error{stacks.Close}, a.closers...)

	// Segments written while functions and stages stop reach the store
	// last, after X-Ray's writer has stopped.
	a.closers = append(a.closers, func() error { traces.Flush(); return nil })
	// The spans of the last segments reach the collector after them.
	if closeSpans != nil {
		a.closers = append(a.closers, closeSpans)
	}
	// So do the services' metrics: Lambda's Run waits for the
	// asynchronous invocations it started, which may end after the
	// aggregator's Run made its last flush.
	a.closers = append(a.closers, serviceStats.Flush)

	var authorizer awsproto.Authorizer // nil unless policies are enforced
	if cfg.Auth == config.AuthIAM {
		authorizer = authz
		// The registry authorizes each push and pull as ECR does.
		images.SetAuthorizer(authz)
		route.principals = &servicePrincipals{authz: authz, byService: map[string]*awsproto.Service{
			"sqs": a.Service("sqs"), "sns": a.Service("sns"), "lambda": a.Service("lambda")}}
		// Schedules, rule targets with a RoleArn and functions' execution
		// roles send as a session of their role.
		route.roles = &roleSessions{authz: authz, region: cfg.Region, ids: g, service: a.Service}
		// Event source mappings read, and destinations are checked, as
		// the function's execution role.
		lam.EnforceRoles(route.roles.authorize, route.roles.trusts)
		// Identity pools issue a role's credentials only when its trust
		// policy lets cognito-identity.amazonaws.com assume it with a web
		// identity.
		// STS's AssumeRoleWithWebIdentity weighs them the same way for
		// the token's provider.
		webIdentityTrust := func(ctx context.Context, principal, role string, keys map[string][]string) (bool, error) {
			return authz.AllowsFederated(ctx, a.Service("sts"), principal, "sts:AssumeRoleWithWebIdentity", role, keys)
		}
		identityPools.EnforceTrust(func(ctx context.Context, role string, keys map[string][]string) (bool, error) {
			return webIdentityTrust(ctx, "cognito-identity.amazonaws.com", role, keys)
		})
		stsSvc.EnforceWebIdentityTrust(webIdentityTrust)
		// Schedules' target roles must trust Scheduler when they are
		// given.
		sched.EnforceTrust(route.roles.trusts)
		// Pipes read, enrich and deliver as a session of their role,
		// which must trust pipes.amazonaws.com.
		a.pipes.EnforceRoles(route.roles.authorize, route.roles.trusts)
		httpAPIs.EnforcePolicies(callerPolicies)
		// Lambda reads an image function's repository as its service
		// principal, which the repository policy must allow; when it
		// does not, Lambda adds the statement if the caller may get
		// and set the repository policy.
		lam.EnforceImageAccess(func(ctx context.Context, functionARN, repo string) error {
			return lambdaImageAccess(ctx, authz, images, a.Service("ecr"), cfg.Region, cfg.AccountID, functionARN, repo)
		})
		// ECS's agent pulls images, reads secrets and writes awslogs
		// as a session of each task's execution role (named after the
		// task), held to its policies and the resources'.
		containers.EnforceExecutionRoles(func(ctx context.Context, roleARN, session, service, action, resource string) error {
			return authz.AuthorizeRole(ctx, roleARN, session, cfg.Region, a.Service(service), action, resource)
		})
		// Task states invoke functions, start executions and run their
		// service integrations as a session of their state machine's
		// role, held to its policies and the resource's.
		states.EnforceRoles(func(ctx context.Context, roleARN, session, action, resource string) error {
			return authz.AuthorizeRole(ctx, roleARN, session, cfg.Region, a.Service(deliver.Service(resource)), action, resource)
		}, func(ctx context.Context, roleARN, service, op string, input map[string]any) (map[string]any, error) {
			return a.callAs(ctx, authz.RoleSession(roleARN, g.Hex(16)), authz, cfg.Region, service, op, input)
		}, route.roles.trusts)
		// A REST API's resource policy is the one its stage's
		// deployment carries, as a policy takes effect when deployed.
		restAPIs.EnforcePolicies(auth.Identify, func(ctx context.Context, r *http.Request, caller *awsproto.Caller, resourcePolicy, action, resource string) error {
			var svc *awsproto.Service
			if resourcePolicy != "" {
				svc = &awsproto.Service{ResourcePolicy: func(context.Context, string) (string, error) { return resourcePolicy, nil }}
			}
			return authz.AuthorizeCaller(ctx, caller, r, cfg.Region, svc, action, resource, nil)
		})
	}
	a.handler = edge.New(edge.Options{
		Services:   a.services,
		Auth:       auth,
		Authorizer: authorizer,
		// HTTP APIs and REST APIs share the execute-api host names: the
		// second argument finds REST APIs (apigateway.Service.Handler).
		DataPlanes: map[string]http.Handler{
			".execute-api.localhost": executeAPI,
			".lambda-url.localhost":  apigatewayv2.FunctionURLPlane(httpAPIs, functionURLs(lam)),
			".s3-website.localhost":  buckets.Website(),
			elbv2.HostSuffix:         balancers.DataPlane(),
			// User pools' prefix domains: their OAuth 2.0 endpoints.
			".auth.localhost": userPools.OAuthHandler(),
		},
		// Custom domain names route to the REST, HTTP and WebSocket
		// APIs their mappings name; user pools' custom domains to
		// their OAuth 2.0 endpoints.
		CustomDomains: customDomains{apis: apigatewayv2.DomainPlane(httpAPIs, restAPIs.Handler, restAPIs), pools: userPools},
		Internal:      a.internalHandler(),
		Documents: []edge.Document{
			// Cognito user pools' keys and OpenID configuration, at
			// the paths AWS serves them under each pool's issuer URL.
			{Service: "cognito-idp", Handler: userPools.WellKnownHandler(a.endpoint), Path: func(path string) bool {
				_, _, ok := cognitoidp.WellKnownPath(path)
				return ok
			}},
			// The certificate SNS's messages are signed with, at
			// their SigningCertURL.
			{Service: "sns", Handler: topics.CertificateHandler(), Path: sns.CertificatePath},
		},
		Registry:     images.Registry(),
		RegistryPath: ecr.RegistryPath,
		Metrics:      a.metrics,
		Recorder:     trail,
		Region:       cfg.Region,
		Logger:       o.Logger,
		Clock:        o.Clock,
		IDs:          g,
	})
	return a, nil
}

// XRayDaemon returns the UDP address of the X-Ray daemon, or "" when it
// is off.
func (a *App) XRayDaemon() string {
	if a.daemon == nil {
		return ""
	}
	return a.daemon.Addr()
}

// Handler returns the edge, for serving on a listener of the caller's.
func (a *App) Handler() http.Handler { return a.handler }

// call runs an operation of a service in-process, for CloudFormation's
// resource providers, which name services as Service does.
func (a *App) call(ctx context.Context, service, op string, input map[string]any) (map[string]any, error) {
	svc := a.Service(service)
	if svc == nil || svc.Operation(op) == nil {
		return nil, fmt.Errorf("no service %s with operation %s", service, op)
	}
	return svc.Call(ctx, a.inProcessOptions(), op, input)
}

// inProcessOptions are the options of virga's own in-process calls.
func (a *App) inProcessOptions() awsproto.CallOptions {
	host := strings.TrimPrefix(strings.TrimPrefix(a.endpoint(), "http://"), "https://")
	return awsproto.CallOptions{Host: host, RequestID: a.ids.UUID()}
}

// callAs runs an operation of a service in-process for caller, decided
// by authz as the edge decides a call in region (--auth iam).
func (a *App) callAs(ctx context.Context, caller awsproto.Caller, authz awsproto.Authorizer, region, service, op string,
	input map[string]any) (map[string]any, error) {
	svc := a.Service(service)
	if svc == nil || svc.Operation(op) == nil {
		return nil, fmt.Errorf("no service %s with operation %s", service, op)
	}
	host := strings.TrimPrefix(strings.TrimPrefix(a.endpoint(), "http://"), "https://")
	return svc.Call(ctx, awsproto.CallOptions{Host: host, RequestID: a.ids.UUID(), Caller: caller,
		Authorizer: authz, Region: region}, op, input)
}

// inProcessServices runs HTTP APIs' AWS service integrations with
// virga's services, in process.
type inProcessServices struct{ a *App }

func (s inProcessServices) Call(ctx context.Context, service, op string, input map[string]any) (map[string]any, error) {
	return s.a.call(ctx, service, op, input)
}

// CallEncoded runs an operation as Call does and answers its output as
// the service's protocol writes it (apigatewayv2.EncodedServices).
func (s inProcessServices) CallEncoded(ctx context.Context, service, op string, input map[string]any) (int, http.Header, []byte, error) {
	svc := s.a.Service(service)
	if svc == nil || svc.Operation(op) == nil {
		return 0, nil, nil, fmt.Errorf("no service %s with operation %s", service, op)
	}
	return svc.CallEncoded(ctx, s.a.inProcessOptions(), op, input)
}

// Service returns the AWS service with the given name, or nil;
// in-process callers run its operations with awsproto's Service.Call.
// The name is the signing name ("dynamodb", "sqs"), except that HTTP
// APIs, which share the signing name "apigateway" with REST APIs, are
// "apigatewayv2" here, as in the SDKs: "apigateway" is REST APIs only,
// even for the operations both define (CreateStage, GetStages, ...).
// Likewise SES's v2 API, which signs as "ses" like v1, is "sesv2".
func (a *App) Service(name string) *awsproto.Service {
	for _, s := range a.services {
		if inProcessName(s) == name {
			return s
		}
	}
	return nil
}

// inProcessName is the name Service knows s by: "apigatewayv2" for the
// "apigateway" service whose operations are bound under /v2/ (HTTP
// APIs), the signing name for every other.
func inProcessName(s *awsproto.Service) string {
	if s.Name != apigatewayv2.SigningName && s.Name != ses.SigningName {
		return s.Name
	}
	for _, o := range s.Operations {
		if _, path, _ := strings.Cut(o.HTTP, " "); strings.HasPrefix(path, "/v2/") {
			return s.Name + "v2"
		}
	}
	return s.Name
}

// stopsAfter is ctx for a background loop that another one feeds as it
// stops: it ends once ctx has ended and the feeding loop has returned
// (closed stopped).
func stopsAfter(ctx context.Context, stopped <-chan struct{}) context.Context {
	after, cancel := context.WithCancel(context.WithoutCancel(ctx))
	go func() {
		<-ctx.Done()
		<-stopped
		cancel()
	}()
	return after
}

// Start listens on the configured address and serves in the background.
// When it returns, the listener is bound and requests are answered.
func (a *App) Start() error {
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		a.store.Close()
		return fmt.Errorf("listen on %s: %w", a.cfg.Listen, err)
	}
	a.listener = ln
	// HTTPS on the same port: code written for AWS builds https URLs
	// (a WebSocket API's https://{domainName}/{stage}).
	ln = localtls.Listener(ln, a.tls.ServerConfig())
	// REST APIs give functions the header names as clients spelled them.
	ln = headercase.Listener(ln)
	a.server = &http.Server{
		Handler:           h2c.NewHandler(a.handler, &http2.Server{}),
		ConnContext:       headercase.ConnContext,
		ReadHeaderTimeout: 30 * time.Second,
		// 1 MiB of headers, as large as any AWS request needs; beyond it
		// the server answers 431.
		MaxHeaderBytes: 1 << 20,
		ErrorLog:       slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	a.serveErr = make(chan error, 1)
	go func() { a.serveErr <- a.server.Serve(ln) }()
	if a.daemon != nil {
		if err := a.daemon.ServeTCP(a.handler); err != nil {
			a.log.Warn("the X-Ray daemon's TCP side is off: its address is not available", "addr", a.daemon.Addr(), "err", err)
		}
	}
	var bgCtx context.Context
	bgCtx, a.stopBG = context.WithCancel(context.Background())
	for _, run := range a.background {
		a.bgDone.Add(1)
		go func() {
			defer a.bgDone.Done()
			run(bgCtx)
		}()
	}
	up := []any{"listen", ln.Addr().String(), "dataDir", a.dataDirForLog()}
	if a.cfg.StoreIsSQL() {
		up = append(up, "store", a.cfg.StoreRedacted())
	}
	up = append(up, "writes", durabilityForLog(a.cfg), "auth", a.cfg.Auth, "console", a.ConsoleURL(), "ca", a.tls.CAPath())
	a.log.Info("virga is up", up...)
	return nil
}

func (a *App) dataDirForLog() string {
	if a.cfg.InMemory {
		return "(in memory)"
	}
	return a.cfg.DataDir
}

// durabilityForLog says what an acknowledged write survives.
func durabilityForLog(cfg config.Config) string {
	switch {
	case cfg.StoreIsSQL():
		return "committed by the PostgreSQL server before they are acknowledged"
	case cfg.InMemory:
		return "kept until virga stops"
	case cfg.Fsync:
		return "fsynced before they are acknowledged"
	}
	return "survive a crash of virga; fsynced within 100ms (--fsync to wait for it)"
}

// Addr is the address virga listens on (with the port chosen, if the
// configuration said port 0).
func (a *App) Addr() string { return a.listener.Addr().String() }

// Shutdown stops accepting requests, lets in-flight ones finish until ctx
// is done, and closes the store. It is safe to call more than once.
func (a *App) Shutdown(ctx context.Context) error {
	var err error
	a.stopOnce.Do(func() {
		// Long polls would hold the server's shutdown for up to 20 s;
		// they answer empty at once instead, as when their wait ends.
		if a.queues != nil {
			a.queues.EndWaits()
		}
		if a.stacks != nil {
			a.stacks.EndWaits()
		}
		if a.server != nil {
			if e := a.server.Shutdown(ctx); e != nil {
				err = fmt.Errorf("stopping the edge: %w", e)
				a.server.Close()
			}
		}
		if a.stopBG != nil {
			a.stopBG()
			a.bgDone.Wait()
		}
		for _, c := range a.closers {
			if e := c(); e != nil && err == nil {
				err = e
			}
		}
		if e := a.store.Close(); e != nil && err == nil {
			err = fmt.Errorf("closing the store: %w", e)
		}
	})
	return err
}

// Run starts virga and serves until ctx is cancelled (by SIGINT or
// SIGTERM in `virga up`), then shuts down within the configured timeout.
func Run(ctx context.Context, cfg config.Config, o Options) error {
	a, err := New(cfg, o)
	if err != nil {
		return err
	}
	if err := a.Start(); err != nil {
		return err
	}
	if o.Ready != nil {
		go o.Ready(a.endpoint())
	}
	select {
	case <-ctx.Done():
	case err := <-a.serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			a.Shutdown(context.Background())
			return err
		}
	}
	a.log.Info("stopping", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := a.Shutdown(sctx); err != nil {
		return err
	}
	a.log.Info("stopped")
	return nil
}

// NewLogger builds the logger the configuration asks for, writing to w.
func NewLogger(cfg config.Config, w io.Writer) (*slog.Logger, error) {
	level, err := cfg.SlogLevel()
	if err != nil {
		return nil, err
	}
	ho := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, ho)), nil
	}
	return slog.New(slog.NewTextHandler(w, ho)), nil
}

// functionCredentialsLifetime is how long a function environment's role
// credentials last; environments are recycled well before (idle reaping).
const functionCredentialsLifetime = 12 * time.Hour

// ConsoleURL is the web console's address, with the token it asks for
// when virga checks credentials (see package console).
func (a *App) ConsoleURL() string {
	u := a.endpoint() + console.Path
	if a.consoleToken != "" {
		u += "?token=" + a.consoleToken
	}
	return u
}

// endpoint is virga's own URL, for SDK calls made inside functions. It is
// known once Start has bound the listener.
func (a *App) endpoint() string {
	if a.listener == nil {
		return "http://" + a.cfg.Listen
	}
	addr := a.listener.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(addr.Port))
}

// dataDirOrEmpty is the data directory, or "" in memory (services then
// keep their files in a temporary directory they remove).
func dataDirOrEmpty(cfg config.Config) string {
	if cfg.InMemory {
		return ""
	}
	return cfg.DataDir
}

// s3Dir is where S3 keeps object bytes; empty keeps them in memory.
func s3Dir(cfg config.Config) string {
	if cfg.InMemory {
		return ""
	}
	return filepath.Join(cfg.DataDir, "s3")
}

// functionsDir is where runtimes' bootstraps and sandbox scratch
// directories live.
// containersDir is the node agent's directory: the data directory, or a
// temporary one that Close removes when virga keeps nothing on disk.
func containersDir(cfg config.Config) (string, error) {
	if cfg.InMemory {
		return os.MkdirTemp("", "virga-containers-")
	}
	return cfg.DataDir, nil
}

func functionsDir(cfg config.Config) string {
	if cfg.InMemory {
		return ""
	}
	return filepath.Join(cfg.DataDir, "functions")
}

// logSink adapts CloudWatch Logs' writer to functions.LogSink.
type logSink struct{ s *logs.Sink }

func (l logSink) Stream(group, stream string) (functions.LogStream, error) {
	return l.s.Stream(group, stream)
}

// importLogs adapts CloudWatch Logs' writer to DynamoDB's imports.
type importLogs struct{ s *logs.Sink }

func (l importLogs) Stream(group, stream string) (dynamodb.LogStream, error) {
	w, err := l.s.Stream(group, stream)
	if err != nil {
		return nil, err
	}
	return w, nil
}

// accessLogSink writes API Gateway's access logs to CloudWatch Logs,
// keeping one buffered writer per stream, as function logs do.
type accessLogSink struct {
	s *logs.Sink

	mu      sync.Mutex
	streams map[[2]string]*logs.StreamWriter
}

func (k *accessLogSink) Write(group, stream string, at time.Time, line string) error {
	k.mu.Lock()
	w := k.streams[[2]string{group, stream}]
	if w == nil {
		var err error
		if w, err = k.s.Stream(group, stream); err != nil {
			k.mu.Unlock()
			return err
		}
		k.streams[[2]string{group, stream}] = w
	}
	k.mu.Unlock()
	return w.Write(at, line)
}

// closeStream flushes one stream's writer and forgets it.
func (k *accessLogSink) closeStream(group, stream string) {
	k.mu.Lock()
	w := k.streams[[2]string{group, stream}]
	delete(k.streams, [2]string{group, stream})
	k.mu.Unlock()
	if w != nil {
		w.Close()
	}
}

// Close flushes what the writers hold.
func (k *accessLogSink) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	for key, w := range k.streams {
		w.Close()
		delete(k.streams, key)
	}
	return nil
}

// streamSource adapts DynamoDB Streams to what Lambda's event source
// mappings read: a stream of one shard.
type streamSource struct{ d *dynamodb.Service }

func (s streamSource) StreamShards(arn string) ([]eventsource.StreamShard, bool) {
	shard, ok := s.d.StreamShard(arn)
	if !ok {
		return nil, false
	}
	return []eventsource.StreamShard{{ID: shard}}, true
}

func (s streamSource) StreamStart(arn, shard, position string, at time.Time) (uint64, error) {
	if position == "LATEST" {
		return s.d.StreamLatest(arn)
	}
	return 0, nil
}

func (s streamSource) StreamRead(arn, shard string, after uint64, limit int) ([]eventsource.StreamRecord, <-chan struct{}, bool, error) {
	recs, changed, err := s.d.StreamRead(arn, after, limit)
	out := make([]eventsource.StreamRecord, len(recs))
	for i, r := range recs {
		out[i] = eventsource.StreamRecord{Seq: r.Seq, JSON: r.JSON, Created: r.Created, Shard: r.Shard}
	}
	return out, changed, false, err
}

var (
	_ eventsource.StreamSource = streamSource{}
	_ eventsource.StreamSource = kinesisSource{}
)

// kinesisSource adapts Kinesis Data Streams to what Lambda's event
// source mappings read.
type kinesisSource struct{ k *kinesis.Service }

func (s kinesisSource) StreamShards(arn string) ([]eventsource.StreamShard, bool) {
	shards, ok := s.k.Shards(arn)
	out := make([]eventsource.StreamShard, len(shards))
	for i, sh := range shards {
		out[i] = eventsource.StreamShard{ID: sh.ID, Parents: sh.Parents}
	}
	return out, ok
}

func (s kinesisSource) StreamStart(arn, shard, position string, at time.Time) (uint64, error) {
	return s.k.ShardStart(arn, shard, position, at)
}

func (s kinesisSource) StreamRead(arn, shard string, after uint64, limit int) ([]eventsource.StreamRecord, <-chan struct{}, bool, error) {
	recs, arrived, end, err := s.k.ReadShard(arn, shard, after, limit)
	out := make([]eventsource.StreamRecord, len(recs))
	for i, r := range recs {
		out[i] = eventsource.StreamRecord{Seq: r.Count + 1, ID: r.SequenceNumber, Created: r.Arrived.Unix(), Arrived: r.Arrived,
			Shard: shard, Key: r.PartitionKey, Data: r.Data}
	}
	return out, arrived, end, err
}

// functionURLs finds function URLs for the data plane that serves them.
func functionURLs(lam *lambda.Service) apigatewayv2.FunctionURLs {
	return func(id string) (apigatewayv2.FunctionURL, bool) {
		t, ok := lam.URLTarget(id)
		if !ok {
			return apigatewayv2.FunctionURL{}, false
		}
		u := apigatewayv2.FunctionURL{Function: t.Function, AuthType: t.AuthType, Streaming: t.InvokeMode == "RESPONSE_STREAM"}
		if c := t.Cors; c != nil {
			u.Cors = apigatewayv2.FunctionURLCors(c.AllowCredentials != nil && *c.AllowCredentials, c.AllowHeaders,
				c.AllowMethods, c.AllowOrigins, c.ExposeHeaders, c.MaxAge)
		}
		return u, true
	}
}

// queueSource adapts SQS to what Lambda's event source mappings read.
type queueSource struct{ s *sqs.Service }

func (q queueSource) QueueInfo(arn string) (time.Duration, bool, bool) {
	info, ok := q.s.Queue(arn)
	return info.VisibilityTimeout, info.FIFO, ok
}

func (q queueSource) Receive(ctx context.Context, arn string, max int, wait time.Duration) ([]eventsource.QueueMessage, error) {
	got, err := q.s.Receive(ctx, arn, max, wait)
	out := make([]eventsource.QueueMessage, len(got))
	for i, m := range got {
		out[i] = eventsource.QueueMessage{MessageID: m.MessageID, ReceiptHandle: m.ReceiptHandle, Body: m.Body,
			MD5OfBody: m.MD5OfBody, MD5OfMessageAttributes: m.MD5OfAttributes, Attributes: m.Attributes}
		if len(m.MessageAttributes) > 0 {
			out[i].MessageAttributes = make(map[string]eventsource.QueueMessageAttribute, len(m.MessageAttributes))
			for k, a := range m.MessageAttributes {
				out[i].MessageAttributes[k] = eventsource.QueueMessageAttribute{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
			}
		}
	}
	return out, err
}

func (q queueSource) Delete(ctx context.Context, arn string, receiptHandles []string) error {
	return q.s.Delete(ctx, arn, receiptHandles)
}

// edgeClient is an HTTP client of virga's own edge, which trusts virga's
// certificate authority besides the system's roots.
func edgeClient(ca *localtls.Authority) *http.Client {
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	roots.AddCert(ca.Certificate())
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: roots}
	return &http.Client{Transport: t}
}

// roleCache hands function environments their role's credentials, issuing
// new ones through STS only when the cached ones pass half their
// lifetime, so a cold start does not wait for a synced store write.
type roleCache struct {
	sts     *sts.Service
	clock   clock.Clock
	mu      sync.Mutex
	entries map[[2]string]sts.RoleCredentials
}

func (c *roleCache) AssumeRole(ctx context.Context, role, session string) (functions.Credentials, error) {
	cred, err := c.credentials(role, session)
	if err != nil {
		return functions.Credentials{}, err
	}
	return functions.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey, SessionToken: cred.SessionToken}, nil
}

// credentials are role's credentials for session, from the cache or new.
func (c *roleCache) credentials(role, session string) (sts.RoleCredentials, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := [2]string{role, session}
	cred, ok := c.entries[key]
	if !ok || c.clock.Now().After(cred.Expiration.Add(-functionCredentialsLifetime/2)) {
		var err error
		if cred, err = c.sts.AssumeRoleAs(role, session, functionCredentialsLifetime); err != nil {
			return sts.RoleCredentials{}, err
		}
		c.entries[key] = cred
	}
	return cred, nil
}

// identityRoles issues identity pools' role credentials through STS.
type identityRoles struct{ sts *sts.Service }

func (r identityRoles) AssumeRole(role, session string, d time.Duration, identity awsproto.CognitoIdentity) (cognitoidentity.RoleCredentials, error) {
	c, err := r.sts.AssumeRoleForIdentity(role, session, d, identity)
	return cognitoidentity.RoleCredentials(c), err
}

// tokenIssuers are the issuers of web identity tokens virga runs, as
// STS verifies their tokens: user pools (ID tokens) and identity pools
// (GetOpenIdToken).
type tokenIssuers struct {
	pools      *cognitoidp.Service
	identities *cognitoidentity.Service
	region     string
}

func (t tokenIssuers) VerifyToken(issuer, token string) (bool, error) {
	if issuer == "https://cognito-identity.amazonaws.com" {
		return true, t.identities.VerifyOpenIDToken(token)
	}
	pool, ok := strings.CutPrefix(issuer, cognitoidp.Issuer(t.region, ""))
	if !ok || pool == "" {
		return false, nil
	}
	// STS checks the signature alone: expiry is weighed by STS, and a
	// signed-out session's token is not refused.
	_, err := t.pools.CheckToken(pool, token, "id")
	if errors.Is(err, cognitoidp.ErrTokenExpired) || errors.Is(err, cognitoidp.ErrTokenRevoked) {
		err = nil
	}
	return true, err
}

// emailTopics is SNS as SES's configuration sets publish events to it.
type emailTopics struct{ s *sns.Service }

func (t emailTopics) Publish(ctx context.Context, topicARN, message string) error {
	_, err := t.s.Publish(ctx, topicARN, sns.Outgoing{Message: message})
	return err
}

func (t emailTopics) Exists(topicARN string) bool { return t.s.TopicExists(topicARN) }

// topicQueues adapts SQS to what SNS subscriptions deliver to.
type topicQueues struct {
	s *sqs.Service
	t *targets // its principals check the queue policy (--auth iam)
}

func (q topicQueues) SendMessage(ctx context.Context, queueARN string, m sns.QueueMessage) (string, error) {
	if m.TopicARN != "" {
		sender := deliver.Sender{Principal: "sns.amazonaws.com", SourceARN: m.TopicARN, SourceAccount: deliver.Account(m.TopicARN)}
		if err := q.t.principals.check(ctx, sender, queueARN); err != nil {
			return "", err
		}
	}
	out := sqs.Outgoing{Body: m.Body, GroupID: m.GroupID, DeduplicationID: m.DeduplicationID, TraceHeader: m.TraceHeader}
	if len(m.Attributes) > 0 {
		out.Attributes = make(map[string]sqs.Attribute, len(m.Attributes))
		for k, a := range m.Attributes {
			out.Attributes[k] = sqs.Attribute{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
		}
	}
	return q.s.Send(ctx, queueARN, out)
}

// credentialSources finds a key that is not in the configuration with
// each source in turn: IAM users' access keys, then STS's temporary
// credentials.
type credentialSources []edge.CredentialSource

func (cs credentialSources) LookupCredential(accessKeyID string) (*awsproto.Credential, error) {
	for _, c := range cs {
		cred, err := c.LookupCredential(accessKeyID)
		if err != nil || cred != nil {
			return cred, err
		}
	}
	return nil, nil
}
