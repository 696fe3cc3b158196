package iam

import (
	"context"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/iam/policy"
)

// Authorizer enforces IAM policies on every AWS API call (--auth iam):
// the edge hands it each call once its input is decoded, and it allows
// or refuses it as AWS's policy evaluation logic does. Requests signed
// with the configuration's keys are the account root's and are always
// allowed; an IAM user's are weighed against the user's policies, its
// groups' and its permissions boundary; a role session's against the
// role's policies, its boundary and the session's policies. Resource
// policies come from the called service (awsproto.Service's
// ResourcePolicy).
type Authorizer struct {
	s *Service

	// policies caches parsed resource-based policies by document, so
	// that a queue's policy is parsed once, not on every call.
	docs sync.Map // string → *policy.Policy
	// docCount bounds docs; past it the cache starts afresh.
	docCount int
	docMu    sync.Mutex
}

// maxCachedDocs bounds the cache of parsed resource-based policies;
// maxCachedPrincipals the cache of callers' parsed policies.
const (
	maxCachedDocs       = 4096
	maxCachedPrincipals = 10000
)

// Authorizer returns the authorizer that enforces this IAM's policies.
func (s *Service) Authorizer() *Authorizer { return &Authorizer{s: s} }

var _ awsproto.Authorizer = (*Authorizer)(nil)

// Authorize allows the call or returns the service's AccessDenied,
// worded as AWS words it.
func (a *Authorizer) Authorize(c *awsproto.Call, in any) error {
	caller := c.Caller
	if caller.ARN == "" || strings.HasSuffix(caller.ARN, ":root") {
		return nil // the account root may do anything
	}
	p, err := a.s.principalPolicies(caller)
	if err != nil {
		return err
	}
	svc := c.Service
	var needs []awsproto.Permission
	if svc.Permissions != nil {
		needs = svc.Permissions(c, in)
	}
	if len(needs) == 0 {
		var resources []string
		if svc.Resources != nil {
			resources = svc.Resources(c, in)
		}
		if len(resources) == 0 {
			resources = []string{"*"}
		}
		for _, res := range resources {
			needs = append(needs, awsproto.Permission{Action: c.Op.Action, Resource: res})
		}
	}
	ctx := a.context(c.Caller, p, c.Region, c.Request)
	for _, need := range needs {
		shown := need.Resource
		if svc.DeniedResource != nil && need.Resource != "*" {
			if named := svc.DeniedResource(in, need.Resource); named != "" {
				shown = named
			}
		}
		if err := a.decide(c.Context(), caller, p, svc, c.Region, need.Action, need.Resource, shown, ctx, svc.AccessDenied); err != nil {
			return err
		}
	}
	return nil
}

// decide weighs one action on one resource for caller, whose policies
// are p, with the resource's policy and tags as svc keeps them. It
// returns denied worded as AWS words the decision when it is refused,
// naming the resource as shown.
func (a *Authorizer) decide(cx context.Context, caller awsproto.Caller, p *principalSet, svc *awsproto.Service,
	region, action, res, shown string, ctx map[string][]string, denied *apierr.Error) error {
	input := policy.Input{
		Request: policy.Request{Action: action, Resource: res, Context: ctx,
			Principal: policy.Principal{ARN: caller.ARN, Account: caller.Account, RoleARN: p.roleARN}},
		Identity: p.identity, Boundary: p.boundary,
		Session: p.session, HasSession: p.hasSession,
	}
	if svc != nil {
		input.ResourceRequired = svc.ResourcePolicyRequired && res != "*"
		if svc.ResourcePolicy != nil && res != "*" {
			doc, err := svc.ResourcePolicy(cx, res)
			if err != nil {
				return err
			}
			if doc != "" {
				if rp := a.parsed(doc); rp != nil {
					input.Resource = []*policy.Policy{rp}
				}
			}
		}
		if svc.ResourceTags != nil && res != "*" {
			tags, err := svc.ResourceTags(cx, res)
			if err != nil {
				return err
			}
			if len(tags) > 0 {
				withTags := make(map[string][]string, len(ctx)+len(tags))
				for k, v := range ctx {
					withTags[k] = v
				}
				for k, v := range tags {
					withTags["aws:resourcetag/"+strings.ToLower(k)] = []string{v}
				}
				input.Request.Context = withTags
			}
		}
	}
	if d := policy.Evaluate(&input); !d.Allowed {
		return denied.WithMessage(message(d, caller.ARN, action, shown, region, a.s.account))
	}
	return nil
}

// message words denial d of action on res (an ARN or "*") for a call in
// region of account as the service that owns action words it (see
// policy.Worded).
func message(d policy.Decision, principal, action, res, region, account string) string {
	action, res = policy.Worded(action, res, region, account)
	return d.Message(principal, action, res)
}

// ErrDenied is what AuthorizeCaller and AuthorizeRole return for a
// refused request; its message is AWS's wording of the decision, and
// callers answer in their own form.
var ErrDenied = &apierr.Error{Code: "AccessDeniedException", Status: 403}

// AuthorizeCaller decides a request that is not an API call of the edge
// (an AWS_IAM route or function URL, which signs its requests with
// SigV4): whether caller may perform action on resource, as Authorize
// decides, with the resource's policy and tags from svc (nil for a
// resource without either) and extra keys (lower case) in the request
// context. r gives aws:SourceIp and aws:SecureTransport; it may be nil.
// A nil caller is anonymous (an unsigned request): only a statement of
// the resource's policy that names Principal "*" can allow it. A
// refusal is ErrDenied with AWS's message.
func (a *Authorizer) AuthorizeCaller(cx context.Context, caller *awsproto.Caller, r *http.Request, region string,
	svc *awsproto.Service, action, resource string, extra map[string][]string) error {
	if caller == nil {
		return a.authorizeAnonymous(cx, r, region, svc, action, resource, extra)
	}
	if caller.ARN == "" || strings.HasSuffix(caller.ARN, ":root") {
		return nil
	}
	p, err := a.s.principalPolicies(*caller)
	if err != nil {
		return err
	}
	ctx := a.context(*caller, p, region, r)
	for k, v := range extra {
		ctx[k] = v
	}
	return a.decide(cx, *caller, p, svc, region, action, resource, resource, ctx, ErrDenied)
}

// authorizeAnonymous decides an unsigned request: the resource's policy
// alone, which must allow everyone.
func (a *Authorizer) authorizeAnonymous(cx context.Context, r *http.Request, region string,
	svc *awsproto.Service, action, resource string, extra map[string][]string) error {
	ctx := a.context(awsproto.Caller{}, &principalSet{kind: "Anonymous"}, region, r)
	delete(ctx, "aws:principalarn")
	delete(ctx, "aws:principalaccount")
	delete(ctx, "aws:userid")
	for k, v := range extra {
		ctx[k] = v
	}
	if svc != nil && svc.ResourcePolicy != nil {
		doc, err := svc.ResourcePolicy(cx, resource)
		if err != nil {
			return err
		}
		if p := a.parsed(doc); doc != "" && p != nil {
			d := policy.Evaluate(&policy.Input{Request: policy.Request{Action: action, Resource: resource, Context: ctx},
				Resource: []*policy.Policy{p}})
			if d.Allowed {
				return nil
			}
			if d.Explicit {
				return ErrDenied.WithMessage(message(d, "anonymous", action, resource, region, a.s.account))
			}
		}
	}
	return ErrDenied.WithMessage(message(policy.Decision{PolicyType: policy.ResourceBased}, "anonymous", action, resource, region, a.s.account))
}

// AuthorizeRole decides a call a service makes with a role it was given
// (a schedule's RoleArn, a state machine's roleArn, a function's
// execution role): as a session of roleARN, held to the role's identity
// policies and boundary, with the target's resource policy from svc
// (nil for none). A role that does not exist allows nothing.
func (a *Authorizer) AuthorizeRole(cx context.Context, roleARN, session, region string,
	svc *awsproto.Service, action, resource string) error {
	caller := a.RoleSession(roleARN, session)
	return a.AuthorizeCaller(cx, &caller, nil, region, svc, action, resource, nil)
}

// RoleSession is the caller a session of roleARN named session is: the
// assumed-role ARN (which names the role without its path) that
// Authorize holds to the role's policies. Services calling each other in
// process as a role they were given pass it as awsproto.CallOptions'
// Caller, with this Authorizer.
func (a *Authorizer) RoleSession(roleARN, session string) awsproto.Caller {
	name := roleARN[strings.LastIndexByte(roleARN, '/')+1:]
	return awsproto.Caller{Account: a.s.account,
		ARN: "arn:aws:sts::" + a.s.account + ":assumed-role/" + name + "/" + session}
}

// context is the request context's global condition keys that virga
// knows for the call.
func (a *Authorizer) context(caller awsproto.Caller, p *principalSet, region string, r *http.Request) map[string][]string {
	now := a.s.clock.Now().UTC()
	ctx := make(map[string][]string, 10+len(p.tags))
	ctx["aws:principalarn"] = []string{p.principalARN}
	ctx["aws:principalaccount"] = []string{caller.Account}
	ctx["aws:principaltype"] = []string{p.kind}
	ctx["aws:userid"] = []string{caller.UserID}
	if p.kind == "User" {
		ctx["aws:username"] = []string{p.name}
	}
	if region != "" {
		ctx["aws:requestedregion"] = []string{region}
	}
	ctx["aws:securetransport"] = []string{strconv.FormatBool(r != nil && r.TLS != nil)}
	ctx["aws:currenttime"] = []string{now.Format(time.RFC3339)}
	ctx["aws:epochtime"] = []string{strconv.FormatInt(now.Unix(), 10)}
	if r != nil {
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			ctx["aws:sourceip"] = []string{host}
		}
	}
	for k, v := range p.tags {
		ctx["aws:principaltag/"+k] = []string{v}
	}
	// aws:ResourceTag/KEY is added per resource, by Authorize.
	return ctx
}

// parsed returns a resource-based policy parsed, from the cache when it
// has been seen; nil when it does not parse (it then grants nothing).
func (a *Authorizer) parsed(doc string) *policy.Policy {
	if p, ok := a.docs.Load(doc); ok {
		return p.(*policy.Policy)
	}
	p, err := policy.Parse(doc)
	if err != nil {
		return nil
	}
	a.docMu.Lock()
	if a.docCount++; a.docCount > maxCachedDocs {
		a.docs.Clear()
		a.docCount = 1
	}
	a.docMu.Unlock()
	a.docs.Store(doc, p)
	return p
}

// principalSet is a caller's policies, parsed: what Authorize weighs.
type principalSet struct {
	gen uint64
	// kind is aws:PrincipalType: "User" or "AssumedRole".
	kind string
	// name is a user's name; principalARN the user's or role's ARN
	// (aws:PrincipalArn), and roleARN the role's for a role session.
	name, principalARN, roleARN string
	identity                    []*policy.Policy
	boundary                    *policy.Policy
	session                     []*policy.Policy
	hasSession                  bool
	tags                        map[string]string
}

// principalPolicies returns the caller's parsed policies, cached until
// IAM next changes.
func (s *Service) principalPolicies(c awsproto.Caller) (*principalSet, error) {
	key := c.ARN
	if c.SessionToken != "" || c.SessionPolicy != "" || c.SessionPolicyARNs != "" {
		key += "\x00" + c.AccessKeyID
	}
	gen := s.gen.Load()
	if v, ok := s.authCache.Load(key); ok {
		if p := v.(*principalSet); p.gen == gen {
			return p, nil
		}
	}
	p, err := s.loadPrincipal(c)
	if err != nil {
		return nil, err
	}
	p.gen = gen
	// Each role session is an entry; past the bound the cache starts
	// afresh rather than keep expired sessions' policies forever.
	if s.authCount.Add(1) > maxCachedPrincipals {
		s.authCache.Clear()
		s.authCount.Store(0)
	}
	s.authCache.Store(key, p)
	return p, nil
}

// loadPrincipal reads and parses the policies of an IAM user or of the
// role behind a role session. A principal that no longer exists has no
// policies, and is denied everything.
func (s *Service) loadPrincipal(c awsproto.Caller) (*principalSet, error) {
	p := &principalSet{principalARN: c.ARN, tags: map[string]string{}}
	_, resource, _ := strings.Cut(strings.TrimPrefix(c.ARN, "arn:"), ":"+c.Account+":")
	switch {
	case strings.HasPrefix(resource, "user/"):
		p.kind = "User"
		p.name = resource[strings.LastIndexByte(resource, '/')+1:]
		u, err := s.user(p.name)
		if err != nil {
			if isNoSuchEntity(err) {
				return p, nil
			}
			return nil, err
		}
		p.principalARN = s.arn("user", u.Path, u.Name)
		for _, t := range u.Tags {
			p.tags[strings.ToLower(t.Key)] = t.Value
		}
		if err := s.addPrincipalPolicies(p, &u.principal, u.Boundary); err != nil {
			return nil, err
		}
		groups, err := all[groupRecord](s, kindGroup)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			if g.hasMember(u.Name) {
				if err := s.addPrincipalPolicies(p, &g.principal, ""); err != nil {
					return nil, err
				}
			}
		}
	case strings.HasPrefix(resource, "federated-user/"):
		// A federated user has the permissions of the identity that
		// asked for its token, capped by its session policies: with none,
		// it may do nothing.
		p.kind = "FederatedUser"
		p.name = strings.TrimPrefix(resource, "federated-user/")
		if strings.HasSuffix(c.Federator, ":root") {
			p.identity = []*policy.Policy{rootPolicy}
		} else if c.Federator != "" {
			user, err := s.loadPrincipal(awsproto.Caller{Account: c.Account, ARN: c.Federator})
			if err != nil {
				return nil, err
			}
			p.identity, p.boundary = user.identity, user.boundary
		}
		if err := s.addSessionPolicies(p, c); err != nil {
			return nil, err
		}
		p.hasSession = true
	case strings.HasPrefix(resource, "assumed-role/"):
		p.kind = "AssumedRole"
		role, _, _ := strings.Cut(strings.TrimPrefix(resource, "assumed-role/"), "/")
		p.roleARN = s.arn("role", "/", role)
		r, err := s.role(role)
		if err != nil && !isNoSuchEntity(err) {
			return nil, err
		}
		if r != nil {
			p.roleARN = s.arn("role", r.Path, r.Name)
			for _, t := range r.Tags {
				p.tags[strings.ToLower(t.Key)] = t.Value
			}
			if err := s.addPrincipalPolicies(p, &r.principal, r.Boundary); err != nil {
				return nil, err
			}
		}
		p.principalARN = p.roleARN
		if err := s.addSessionPolicies(p, c); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// rootPolicy is what the account root may do: anything.
var rootPolicy = &policy.Policy{Statements: []policy.Statement{{Actions: []string{"*"}}}}

// addSessionPolicies adds the session policies a session was given to
// p; hasSession is set when there are any.
func (s *Service) addSessionPolicies(p *principalSet, c awsproto.Caller) error {
	if c.SessionPolicy != "" {
		p.hasSession = true
		if sp, err := policy.Parse(c.SessionPolicy); err == nil {
			p.session = append(p.session, sp)
		}
	}
	for _, arn := range strings.Fields(c.SessionPolicyARNs) {
		p.hasSession = true
		if sp, err := s.managedDocument(arn); err != nil {
			return err
		} else if sp != nil {
			p.session = append(p.session, sp)
		}
	}
	return nil
}

// addPrincipalPolicies adds a user's, group's or role's inline and
// attached policies to p, and its permissions boundary when it has one.
func (s *Service) addPrincipalPolicies(p *principalSet, pr *principal, boundary string) error {
	err := s.eachPolicy(pr, func(ip *policy.Policy, _, _ string) { p.identity = append(p.identity, ip) })
	if err != nil || boundary == "" {
		return err
	}
	p.boundary, err = s.boundaryDocument(boundary)
	return err
}

// eachPolicy calls f with each of a user's, group's or role's inline
// policies (in name order, typ "") and attached managed policies (typ
// sourceAWSManaged or sourceUserManaged), parsed, with the policy's name.
// A document the evaluator cannot read, or a managed policy virga has no
// document for, grants nothing and is left out.
func (s *Service) eachPolicy(pr *principal, f func(p *policy.Policy, name, typ string)) error {
	for _, name := range slices.Sorted(maps.Keys(pr.Inline)) {
		if ip, err := policy.Parse(pr.Inline[name]); err == nil {
			f(ip, name, "")
		}
	}
	for _, arn := range pr.Attached {
		mp, err := s.managedDocument(arn)
		if err != nil {
			return err
		}
		if mp != nil {
			account, _, name, _ := parsePolicyARN(arn)
			typ := sourceUserManaged
			if account == awsManagedAccount {
				typ = sourceAWSManaged
			}
			f(mp, name, typ)
		}
	}
	return nil
}

// boundaryDocument is the permissions boundary with the ARN, parsed; one
// virga has no document for allows nothing.
func (s *Service) boundaryDocument(arn string) (*policy.Policy, error) {
	bp, err := s.managedDocument(arn)
	if err == nil && bp == nil {
		bp = &policy.Policy{ID: arn}
	}
	return bp, err
}

// managedDocument returns the default version of a managed policy,
// parsed and named by its ARN (for an AWS managed policy whose document
// virga does not carry, what it grants); nil when the policy does not
// exist or virga knows neither (most AWS managed policies).
func (s *Service) managedDocument(arn string) (*policy.Policy, error) {
	rec, aws, err := s.managedPolicy(arn)
	if err != nil {
		if isNoSuchEntity(err) || apierrCode(err) == "InvalidInput" {
			return nil, nil
		}
		return nil, err
	}
	var doc string
	switch {
	case aws != nil:
		doc = aws.Document
		if doc == "" {
			doc = aws.Grants
		}
	case rec != nil:
		for _, v := range rec.Versions {
			if v.ID == rec.Default {
				doc = v.Document
			}
		}
	}
	if doc == "" {
		return nil, nil
	}
	p, err := policy.Parse(doc)
	if err != nil {
		return nil, nil
	}
	p.ID = arn
	return p, nil
}

// TrustPolicy returns the trust policy of the role with the ARN, as STS
// checks AssumeRole against it; false when there is no such role.
func (s *Service) TrustPolicy(roleARN string) (string, bool, error) {
	r, err := s.roleByARN(roleARN)
	if err != nil || r == nil {
		return "", false, err
	}
	return r.TrustPolicy, true, nil
}

// RoleID returns the unique id of the role with the ARN, which STS puts
// in its sessions' ids; false when there is no such role.
func (s *Service) RoleID(roleARN string) (string, bool, error) {
	r, err := s.roleByARN(roleARN)
	if err != nil || r == nil {
		return "", false, err
	}
	return r.ID, true, nil
}

// MaxSessionDuration returns the longest session, in seconds, STS may
// issue for the role with the ARN (its MaxSessionDuration); false when
// there is no such role.
func (s *Service) MaxSessionDuration(roleARN string) (int32, bool, error) {
	r, err := s.roleByARN(roleARN)
	if err != nil || r == nil {
		return 0, false, err
	}
	return r.MaxSession, true, nil
}

// roleByARN returns the role an ARN names (path included), or nil.
func (s *Service) roleByARN(roleARN string) (*roleRecord, error) {
	i := strings.LastIndexByte(roleARN, '/')
	if i < 0 || !strings.HasPrefix(roleARN, "arn:aws:iam::"+s.account+":role/") {
		return nil, nil
	}
	r, err := s.role(roleARN[i+1:])
	if err != nil {
		if isNoSuchEntity(err) {
			return nil, nil
		}
		return nil, err
	}
	if s.arn("role", r.Path, r.Name) != roleARN {
		return nil, nil
	}
	return r, nil
}

func isNoSuchEntity(err error) bool {
	e := apierr.As(err)
	return e != nil && e.Code == ErrNoSuchEntity.Code
}

func apierrCode(err error) string {
	if e := apierr.As(err); e != nil {
		return e.Code
	}
	return ""
}

// AllowsService reports whether the resource-based policy of resource,
// which svc keeps (a queue policy, a function policy), lets the AWS
// service principal (sns.amazonaws.com) perform action on it on behalf
// of sourceARN in sourceAccount, as AWS decides the calls services make
// to each other: only the resource's policy is weighed, with
// aws:SourceArn and aws:SourceAccount in the request context, and a
// resource without one allows no service.
func (a *Authorizer) AllowsService(ctx context.Context, svc *awsproto.Service, principal, action, resource, sourceARN, sourceAccount string) (bool, error) {
	if svc == nil || svc.ResourcePolicy == nil {
		return false, nil
	}
	doc, err := svc.ResourcePolicy(ctx, resource)
	if err != nil || doc == "" {
		return false, err
	}
	return a.PolicyAllowsService(doc, principal, action, resource, sourceARN, sourceAccount), nil
}

// PolicyAllowsService is AllowsService's decision for the resource-based
// policy doc, whether or not the resource holds it yet.
func (a *Authorizer) PolicyAllowsService(doc, principal, action, resource, sourceARN, sourceAccount string) bool {
	rc := map[string][]string{}
	if sourceARN != "" {
		rc["aws:sourcearn"] = []string{sourceARN}
	}
	if sourceAccount != "" {
		rc["aws:sourceaccount"] = []string{sourceAccount}
		rc["aws:sourceowner"] = []string{sourceAccount}
	}
	return a.policyAllows(doc, policy.Principal{Service: principal}, action, resource, rc)
}

// AllowsFederated reports whether the trust policy of role, which svc
// (STS) keeps, lets a web identity of the federated provider
// (cognito-identity.amazonaws.com) perform action
// (sts:AssumeRoleWithWebIdentity), with the identity's condition keys
// (cognito-identity.amazonaws.com:aud and the like) in the request
// context, as STS decides AssumeRoleWithWebIdentity.
func (a *Authorizer) AllowsFederated(ctx context.Context, svc *awsproto.Service, provider, action, role string, keys map[string][]string) (bool, error) {
	if svc == nil || svc.ResourcePolicy == nil {
		return false, nil
	}
	doc, err := svc.ResourcePolicy(ctx, role)
	if err != nil || doc == "" {
		return false, err
	}
	rc := make(map[string][]string, len(keys))
	for k, v := range keys {
		rc[strings.ToLower(k)] = v
	}
	return a.policyAllows(doc, policy.Principal{Federated: provider}, action, role, rc), nil
}

// policyAllows weighs only the resource-based policy doc for a service's
// or a federated identity's request, with the time and rc in its
// context.
func (a *Authorizer) policyAllows(doc string, principal policy.Principal, action, resource string, rc map[string][]string) bool {
	p := a.parsed(doc)
	if p == nil {
		return false
	}
	now := a.s.clock.Now().UTC()
	rc["aws:currenttime"] = []string{now.Format(time.RFC3339)}
	rc["aws:epochtime"] = []string{strconv.FormatInt(now.Unix(), 10)}
	return p.Allows(&policy.Request{Action: action, Resource: resource, Context: rc, Principal: principal})
}
