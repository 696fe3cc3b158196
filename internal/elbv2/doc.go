// Package elbv2 is Elastic Load Balancing v2 over awsQuery (Version
// 2015-12-01, signing name elasticloadbalancing): Application Load
// Balancers whose listeners really route HTTP requests to ip targets and
// Lambda functions, and Network Load Balancers whose listeners relay TCP
// connections and UDP datagrams to ip targets.
//
// # What it owns
//
// Load balancers, target groups (with their registered targets),
// listeners and rules, in the store under "elbv2/" (store.go), and, at
// run time, one HTTP server per listener and the health of every target.
// It invokes Lambda through the small Functions interface internal/app
// wires; it must not import internal/lambda. targets_api.go is its Go
// API for other services (ECS registers its services' tasks through
// it): a target group's summary, registering and deregistering one
// target, and a target's health, with the same rules as the
// operations, and ServeListener, which serves a request as a listener
// receives it (API Gateway's private integrations reach listeners
// through it): an Application Load Balancer's by its rules, a Network
// Load Balancer's TCP listener by passing the request to its next
// target, as a new connection would go. A load balancer's subnets and security groups
// must be ones EC2 keeps (SubnetNotFound, InvalidSecurityGroup), one
// subnet per availability zone, checked through vpcref; its VpcId and
// zones are those of its subnets. (Without EC2, as in unit tests, a
// subnet is placed in the region's zones in turn, in no VPC,
// vpc-00000000.) That subnets and groups share one VPC is not checked.
//
// # Data plane
//
// Each listener binds its own port on 127.0.0.1 when it is created (and
// when virga starts). A port that cannot be bound (taken, or below 1024
// without privileges) leaves CreateListener successful and the listener
// unbound, with a warning in virga's log: its load balancer is still
// reachable through virga's endpoint, by Host header NAME-ID.REGION.elb.localhost
// (the load balancer's DNSName, any port; internal load balancers' names
// start with "internal-", as AWS's do), or AWS's own name for it
// (NAME-ID.REGION.elb.amazonaws.com, for a client that sends it here), or by path
// /_aws/elb/NAME-ID.REGION/... . Through the endpoint the load balancer's
// lowest-port HTTP listener serves (its lowest-port listener when it has
// no HTTP one). Each answer on a listener's own port is reported to
// Deps.Requests (virga_data_plane_requests_total{plane="elb"}); the edge
// counts the ones through the endpoint.
//
// A request whose request line or one header is over 16 K, or whose
// headers together are over 64 K (ALB's HTTP header quotas), is answered
// 400 Bad Request before any rule; on a listener's own port one whose
// headers pass 84 K is cut short by Go's reader (431).
//
// A request is matched against the listener's rules by priority, then
// the default action (conditions.go; wildcards by internal/wildcard). Forward
// picks a target group by weight, then a target round robin among the
// healthy ones, or among all of them when none is healthy (a load
// balancer fails open). ip targets get the request by reverse proxy with
// X-Forwarded-For (the client appended), X-Forwarded-Proto,
// X-Forwarded-Port and an X-Amzn-Trace-Id when there was none; the Host
// header is kept. Lambda targets are invoked in process with ALB's event
// (lambda_target.go), in the single- or multi-value form the target
// group's lambda.multi_value_headers.enabled attribute chooses; query
// strings are passed undecoded, as ALB does. No target: 503. A target
// that cannot be reached, a function error or a malformed function
// response: 502. A target that does not answer within the load
// balancer's idle_timeout.timeout_seconds (60 by default; the time no
// byte moves either way, so a long answer that keeps streaming is not
// cut): 504. The load balancer's own answers carry
// Server: awselb/2.0 and the small HTML page ALB answers with.
//
// HTTPS listeners need a certificate ACM keeps (CreateListener and
// ModifyListener answer CertificateNotFound, "Certificate 'ARN' not
// found", for another; whether it is issued or covers any name is not
// checked; ACM names the load balancer in the certificate's InUseBy and
// will not delete it) and are served as plain HTTP on their port: virga
// terminates no TLS. X-Forwarded-Proto is then "https", as the listener's protocol
// says.
//
// An HTTPS listener's certificate list is its default certificate,
// which CreateListener and ModifyListener set, then the ones
// AddListenerCertificates adds (op_certificates.go): all must be in
// ACM (CertificateNotFound), one already in the list is not added
// again, a load balancer's listeners hold at most 25 besides their
// default ones (TooManyCertificates), and RemoveListenerCertificates
// refuses the default one (OperationNotPermitted).
// DescribeListenerCertificates lists the default one first, IsDefault
// true. As virga terminates no TLS, no certificate is chosen by SNI:
// the list is kept and described only.
//
// DescribeSSLPolicies describes AWS's predefined security policies
// (op_sslpolicies.go: ELBSecurityPolicy-2016-08, the default, the
// ELBSecurityPolicy-TLS-, -FS- and TLS13 ones of 2015 to 2021, the FIPS
// ones of 2023 and the post-quantum ones of 2025, whose suites are
// derived from their TLS13 base; not the RFC 9151 ones), whose names are
// the ones CreateListener
// and ModifyListener take (another is SSLPolicyNotFound).
// DescribeAccountLimits reports AWS's default quotas (op_limits.go),
// those virga enforces among them.
//
// Redirect actions build the Location from the configured components,
// in which #{protocol}, #{host}, #{port} (the listener's), #{path} (the
// path without its leading "/") and #{query} stand for the request's;
// a default port of the protocol (80, 443) is left out.
//
// # Network Load Balancers
//
// CreateLoadBalancer with Type network makes a Network Load Balancer:
// ARN loadbalancer/net/NAME/ID, DNS name NAME-ID.elb.REGION.amazonaws.com
// (internal or not), NLB's hosted zone, no security groups unless given,
// and NLB's attributes (load_balancing.cross_zone.enabled false,
// deletion protection...). It is not served through virga's endpoint:
// it is reached on its listeners' ports only.
//
// A target group serves one load balancer, of either type: a listener or
// rule of another that forwards to it is TargetGroupAssociationLimit.
//
// Its listeners are TCP, UDP or TCP_UDP, forward only (another action is
// InvalidLoadBalancerAction; rules cannot be created), to one target
// group whose protocol the listener's carries (TCP: TCP or TCP_UDP; UDP:
// UDP or TCP_UDP; TCP_UDP: TCP_UDP; anything else, Lambda target groups
// included, is IncompatibleProtocols). A TLS listener without a
// certificate is refused with AWS's ValidationError; with one it is
// refused too (UnsupportedProtocol): virga terminates no TLS, and a TCP
// listener passes TLS through to the targets.
//
// Each listener binds its port on 127.0.0.1 as an Application Load
// Balancer's does (a port that cannot be bound leaves it unbound, with a
// warning): TCP for TCP and TCP_UDP listeners, UDP for UDP and TCP_UDP.
// Each new TCP connection goes to the next healthy target of the target
// group (AWS chooses by a hash of the flow; virga takes turns per new
// connection), or to any target when none is healthy (fail open); a
// connection with no target, or whose target refuses, is reset. Bytes
// are copied both ways, half-closes passed on, until both sides are done
// or nothing moved for 350 seconds (NLB's TCP idle timeout). A UDP
// client address is a flow, sent to the target its first datagram was
// given; the target's answers come back from the listener's port, and
// the flow ends after 120 seconds without a datagram. A listener keeps
// at most 1024 flows (virga's bound, not AWS's): a new client past it
// takes the place of the flow idle the longest. Closing a listener (its
// deletion, or Close) ends its connections and flows and the dials to
// targets in flight (a dial otherwise gives up after 10 seconds); Close
// waits up to 5 seconds for their goroutines to end.
//
// Target groups of protocol TCP, UDP, TCP_UDP or TLS are NLB target
// groups: checked over TCP (a connection) by default, or HTTP/HTTPS,
// with NLB's defaults (every 30 seconds, timeout 10 seconds or 6 for
// HTTP, 5 successes to be healthy, 2 failures to be unhealthy, success
// codes 200-399, a matcher within 200-599; a TCP check takes no path nor
// matcher) and NLB's target group attributes.
//
// # Health checks
//
// Run looks every 100 ms of real time for checks due on the clock
// (internal/clock, so tests move a fake one): each ip target of a target
// group that a listener or rule uses is checked at once, then every
// HealthCheckIntervalSeconds (a check's own HealthCheckTimeoutSeconds is
// real time); a newly registered (initial) target is healthy once it
// passes one check, an unhealthy one after HealthyThresholdCount
// successes, and UnhealthyThresholdCount failures make it unhealthy, with AWS's reason
// codes (Target.FailedHealthChecks, Target.Timeout,
// Target.ResponseCodeMismatch). A target group no listener uses reports
// its targets unused (Target.NotInUse); a Lambda target group's health
// checks are off unless enabled (Target.HealthCheckDisabled), and when
// enabled a Lambda target is healthy while its function exists. Health
// is kept in memory: after a restart targets are initial again. Close
// (and Run's end) cancels the checks in flight and waits for them; no
// check starts after it.
//
// A target deregistered from a target group in use drains for the
// group's deregistration_delay.timeout_seconds (300 by default) on the
// clock: it gets no new requests and is described as draining
// (Target.DeregistrationInProgress), then is forgotten. Requests it is
// serving are not cut at the end of the delay.
//
// # Lambda permission
//
// RegisterTargets of a Lambda function requires the function's policy to
// let elasticloadbalancing.amazonaws.com invoke it (for the target
// group's ARN, when the statement names a source), as AWS does; without
// it the call fails with AccessDenied.
//
// # Locking
//
// One RWMutex (Service.mu) guards every resource and the data plane's
// state; control plane operations hold it while they write the store,
// so the store and the maps change together. Requests take it only to
// resolve a route and pick a target, never while they proxy or invoke.
// A Network Load Balancer listener's own mutex (l4Listener.mu) guards
// the connections it tracks, and a UDP listener's flow table has one
// too, held while a new flow takes Service.mu to pick its target: the
// order is flow table, then Service.mu; l4Listener.mu is taken under
// Service.mu (when a listener closes) and takes nothing itself.
//
// # Not supported
//
// Gateway Load Balancers (Type gateway) and the GENEVE protocol; TLS
// listeners and TLS termination (TLS target groups are accepted but no
// listener can forward to them); QUIC listeners; listener attributes
// (tcp.idle_timeout.seconds is fixed at 350); NLB's passive health
// checks, client IP preservation and proxy protocol (their attributes
// are stored and ignored: targets see connections from 127.0.0.1);
// instance targets (virga runs no EC2 instances: they are accepted, never healthy, and
// requests to them are 502, connections reset); alb targets;
// authenticate-oidc and authenticate-cognito actions
// (InvalidLoadBalancerAction); more than one action per rule; sticky
// sessions (stickiness settings are stored and ignored); slow start;
// trust stores, capacity reservations; the RFC 9151 security policies;
// dual-stack addresses
// (SetIpAddressType records the type, virga listens as before); access logs. The code of the rule-quota errors
// ("A rule can only have '5' condition values") is ValidationError,
// which AWS's answers are reported with but not documented. The
// messages of IncompatibleProtocols, of a non-forward action on a
// Network Load Balancer listener and of a rule on one, of
// SSLPolicyNotFound, TooManyCertificates, of removing a listener's
// default certificate and of a certificate operation on a listener
// neither HTTPS nor TLS (ValidationError) are virga's wording: AWS's
// codes are sourced, not its full sentences.
package elbv2
