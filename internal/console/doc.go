// Package console serves virga's web console at /_virga/console/: a
// read-only view of what runs, for what people would rather look at
// than read (functions and their recent logs, tables and their items,
// queues' counts, topics, rules, executions, stacks and their events,
// log tails, traces as timelines, ECS clusters, load balancers).
//
// # What it is made of
//
// The page is plain HTML, CSS and JavaScript under web/console,
// embedded in the binary (package web): no build step, no framework,
// nothing fetched from another origin. Its script reads a small JSON
// API under /_virga/console/api/, one GET endpoint per view:
//
//	overview                      each service's resource counts
//	lambda/functions              ListFunctions
//	lambda/function?name=         GetFunction, its latest invocations
//	                              (their REPORT lines, found with
//	                              FilterLogEvents) and log streams
//	dynamodb/tables               ListTables
//	dynamodb/table?name=          DescribeTable
//	dynamodb/items?name=&limit=&start=
//	                              a page of Scan; start is the previous
//	                              page's next (its LastEvaluatedKey)
//	sqs/queues                    ListQueues and each GetQueueAttributes
//	sns/topics                    ListTopics with each topic's subscriptions
//	events/rules                  every bus with its rules and targets
//	states/machines               state machines and their latest executions
//	states/execution?arn=         DescribeExecution and its history
//	cloudformation/stacks         DescribeStacks
//	cloudformation/stack?name=    a stack, its resources and its events
//	logs/groups                   DescribeLogGroups
//	logs/streams?group=           the most recently written streams
//	logs/events?group=&stream=&token=
//	                              a stream's last events, or with token
//	                              (the previous page's next) the ones
//	                              written since: the tail polls with it
//	xray/traces?minutes=          trace summaries of the last minutes
//	xray/trace?id=                a trace's segments as a timeline
//	ecs/clusters                  clusters
//	ecs/cluster?name=             a cluster's services and tasks
//	elbv2/balancers               load balancers with listeners and
//	                              rules; target groups with target health
//
// A view answers JSON: AWS's own output members where it passes them
// through, or {"error": {"code", "message"}} with the status AWS gives
// the error.
//
// # The data path, and why
//
// The API calls each service's operations in process (Service, one per
// service, wired in internal/app to awsproto's Service.Call, the path
// CloudFormation's providers take): the same handlers, validation and
// output shapes an SDK reaches, so the console shows what a client
// would read. It does not go through the edge's authentication, so it
// works alike with --auth accept, sigv4 and iam, with no credentials in
// the page. What keeps it safe is where it answers:
//
//   - Only to this machine: a request from a non-loopback address, or
//     naming a Host that is not loopback (localhost, *.localhost, a
//     loopback IP; a DNS-rebinding page names its own), is refused with
//     403, unless virga runs with --console-remote.
//   - Only with virga's token when virga checks credentials (--auth
//     sigv4 or iam): functions and containers run on this machine and
//     reach virga from loopback, so loopback alone would let code
//     holding a narrow role read every service. virga then makes a
//     random token at start and logs the console's URL with it
//     (?token=...); the page keeps it in sessionStorage and sends it as
//     the X-Virga-Console-Token header, and an API request without it is
//     refused with 401 MissingToken (InvalidToken for a token of an
//     earlier start: each start makes a new one). Under --auth accept every API is open to
//     loopback anyway, and no token is asked.
//   - Only reads: GET and HEAD are answered, and Service calls pass
//     through a filter that lets only List*, Describe*, Get*, Filter*,
//     Scan and BatchGet* operations through.
//   - Every answer carries Content-Security-Policy (default-src 'self',
//     no framing), X-Content-Type-Options: nosniff and no-referrer; the
//     script writes every value with textContent, never as HTML.
//
// # Not supported
//
// Looking at SQS messages: SQS has no way to read a message without
// receiving it (which hides it from its consumers for the visibility
// timeout and counts a receive toward its redrive policy), so the
// console shows queues' counts only. Writing anything (the console
// reads). Lists stop at 1,000 resources of a kind; the views that list
// resources with those under them (SNS topics with their subscriptions,
// EventBridge buses with their rules and targets) stop at 1,000 entries
// in all, each counting as one, and answer "truncated": true when they
// stop short. S3, API Gateway,
// Cognito, KMS, SSM, Secrets Manager, Kinesis, ECR, SES and CloudWatch
// metrics have no views yet; their AWS APIs serve them. Lambda's view
// links an invocation's log stream, not its X-Ray trace.
package console
