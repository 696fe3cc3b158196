package providers

import (
	"context"
	"slices"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
)

// elbService is Elastic Load Balancing v2's signing name, which names it
// for in-process calls.
const elbService = "elasticloadbalancing"

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::ElasticLoadBalancingV2::LoadBalancer",
		Provider: elbLoadBalancer{},
		// virga has no SetSubnets, SetSecurityGroups or SetIpAddressType:
		// a change to those makes a new load balancer.
		Replace:      []string{"Name", "Scheme", "Type", "IpAddressType", "Subnets", "SubnetMappings", "SecurityGroups"},
		NameProperty: "Name",
		Attributes:   []string{"CanonicalHostedZoneID", "DNSName", "LoadBalancerArn", "LoadBalancerFullName", "LoadBalancerName", "SecurityGroups"},
		Tags:         resource.TagList,
	})
	resource.Register(&resource.Type{
		Name:         "AWS::ElasticLoadBalancingV2::TargetGroup",
		Provider:     elbTargetGroup{},
		Replace:      []string{"Name", "Port", "Protocol", "ProtocolVersion", "TargetType", "VpcId", "IpAddressType"},
		NameProperty: "Name",
		Attributes:   []string{"LoadBalancerArns", "TargetGroupArn", "TargetGroupFullName", "TargetGroupName"},
		Tags:         resource.TagList,
	})
	// Listeners and listener rules declare no Tags: their CloudFormation
	// schemas have none (although CreateListener and CreateRule take
	// tags), so CloudFormation gives them no stack tags.
	resource.Register(&resource.Type{
		Name:       "AWS::ElasticLoadBalancingV2::Listener",
		Required:   []string{"LoadBalancerArn", "DefaultActions"},
		Provider:   elbListener{},
		Replace:    []string{"LoadBalancerArn"},
		Attributes: []string{"ListenerArn"},
	})
	resource.Register(&resource.Type{
		Name:     "AWS::ElasticLoadBalancingV2::ListenerCertificate",
		Required: []string{"ListenerArn", "Certificates"},
		Provider: elbListenerCertificate{},
		Replace:  []string{"ListenerArn"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ElasticLoadBalancingV2::ListenerRule",
		Required:   []string{"Actions", "Priority", "Conditions"},
		Provider:   elbListenerRule{},
		Replace:    []string{"ListenerArn"},
		Attributes: []string{"IsDefault", "RuleArn"},
	})
}

// elbKinds are the numbers, booleans and texts of the four types'
// properties.
var elbKinds = map[string]kind{
	"Port": number, "Priority": number, "Weight": number, "Order": number, "DurationSeconds": number,
	"HealthCheckIntervalSeconds": number, "HealthCheckTimeoutSeconds": number,
	"HealthyThresholdCount": number, "UnhealthyThresholdCount": number,
	"Enabled": boolean, "HealthCheckEnabled": boolean,
	// Strings in the schemas that templates write as numbers.
	"FixedResponseConfig.StatusCode": stringKind, "RedirectConfig.Port": stringKind,
	"Matcher.HttpCode": stringKind, "Matcher.GrpcCode": stringKind,
	"LoadBalancerAttributes.Value": stringKind, "TargetGroupAttributes.Value": stringKind,
	"ListenerAttributes.Value": stringKind,
}

// maxELBName is the limit on load balancer and target group names.
const maxELBName = 32

// elbTags sets and removes the tags that changed between two property
// sets.
func elbTags(ctx context.Context, r *resource.Request, arn string, old, cur props) error {
	set, removed := tagDiff(tagMap(old["Tags"]), tagMap(cur["Tags"]))
	if len(removed) > 0 {
		if _, err := call(ctx, r, elbService, "RemoveTags", map[string]any{"ResourceArns": []any{arn}, "TagKeys": anyStrings(removed)}); err != nil {
			return err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, elbService, "AddTags", map[string]any{"ResourceArns": []any{arn}, "Tags": tagList(set)}); err != nil {
			return err
		}
	}
	return nil
}

// elbLoadBalancer is AWS::ElasticLoadBalancingV2::LoadBalancer; its Ref
// is its ARN.
type elbLoadBalancer struct{}

func (elbLoadBalancer) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, elbKinds)
	in := p.pick(map[string]any{}, "Scheme", "Type", "IpAddressType", "Subnets", "SubnetMappings", "SecurityGroups")
	in["Name"] = p.str("Name")
	if in["Name"] == "" {
		in["Name"] = physicalName(r, maxELBName)
	}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["Tags"] = tagList(tags)
	}
	if err := refuseTakenELB(ctx, r, "DescribeLoadBalancers", in["Name"].(string)); err != nil {
		return nil, err
	}
	out, err := call(ctx, r, elbService, "CreateLoadBalancer", in)
	if err != nil {
		return nil, err
	}
	lb := props(asMap(props(out).list("LoadBalancers")[0]))
	res := elbLoadBalancerResult(lb)
	if attrs := p.list("LoadBalancerAttributes"); len(attrs) > 0 {
		if _, err := call(ctx, r, elbService, "ModifyLoadBalancerAttributes", map[string]any{"LoadBalancerArn": res.PhysicalID, "Attributes": attrs}); err != nil {
			return res, err
		}
	}
	return res, nil
}

func elbLoadBalancerResult(lb props) *resource.Result {
	arn := lb.str("LoadBalancerArn")
	_, full, _ := strings.Cut(arn, ":loadbalancer/")
	sgs := lb.list("SecurityGroups")
	if sgs == nil {
		sgs = []any{}
	}
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{
		"CanonicalHostedZoneID": lb.str("CanonicalHostedZoneId"), "DNSName": lb.str("DNSName"),
		"LoadBalancerArn": arn, "LoadBalancerFullName": full, "LoadBalancerName": lb.str("LoadBalancerName"),
		"SecurityGroups": sgs,
	}}
}

func (elbLoadBalancer) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, elbKinds)
	if attrs := p.list("LoadBalancerAttributes"); len(attrs) > 0 && changed(old, p, "LoadBalancerAttributes") {
		if _, err := call(ctx, r, elbService, "ModifyLoadBalancerAttributes", map[string]any{"LoadBalancerArn": r.PhysicalID, "Attributes": attrs}); err != nil {
			return nil, err
		}
	}
	if err := elbTags(ctx, r, r.PhysicalID, old, p); err != nil {
		return nil, err
	}
	out, err := call(ctx, r, elbService, "DescribeLoadBalancers", map[string]any{"LoadBalancerArns": []any{r.PhysicalID}})
	if err != nil {
		return nil, err
	}
	return elbLoadBalancerResult(props(asMap(props(out).list("LoadBalancers")[0]))), nil
}

func (elbLoadBalancer) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, elbService, "DeleteLoadBalancer", map[string]any{"LoadBalancerArn": r.PhysicalID})
	return ignoreGone(err)
}

// elbTargetGroup is AWS::ElasticLoadBalancingV2::TargetGroup, with its
// Targets registered (a Lambda target needs its permission first, which
// a template says with DependsOn); its Ref is its ARN.
type elbTargetGroup struct{}

var targetGroupHealthProps = []string{"HealthCheckEnabled", "HealthCheckIntervalSeconds", "HealthCheckPath", "HealthCheckPort",
	"HealthCheckProtocol", "HealthCheckTimeoutSeconds", "HealthyThresholdCount", "UnhealthyThresholdCount", "Matcher"}

func (elbTargetGroup) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, elbKinds)
	in := p.pick(map[string]any{}, append([]string{"Port", "Protocol", "ProtocolVersion", "TargetType", "VpcId", "IpAddressType"}, targetGroupHealthProps...)...)
	in["Name"] = p.str("Name")
	if in["Name"] == "" {
		in["Name"] = physicalName(r, maxELBName)
	}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["Tags"] = tagList(tags)
	}
	if err := refuseTakenELB(ctx, r, "DescribeTargetGroups", in["Name"].(string)); err != nil {
		return nil, err
	}
	out, err := call(ctx, r, elbService, "CreateTargetGroup", in)
	if err != nil {
		return nil, err
	}
	res := elbTargetGroupResult(props(asMap(props(out).list("TargetGroups")[0])))
	if attrs := p.list("TargetGroupAttributes"); len(attrs) > 0 {
		if _, err := call(ctx, r, elbService, "ModifyTargetGroupAttributes", map[string]any{"TargetGroupArn": res.PhysicalID, "Attributes": attrs}); err != nil {
			return res, err
		}
	}
	if ts := p.list("Targets"); len(ts) > 0 {
		if _, err := call(ctx, r, elbService, "RegisterTargets", map[string]any{"TargetGroupArn": res.PhysicalID, "Targets": ts}); err != nil {
			return res, err
		}
	}
	return res, nil
}

func elbTargetGroupResult(tg props) *resource.Result {
	arn := tg.str("TargetGroupArn")
	full := arn[strings.Index(arn, ":targetgroup/")+1:]
	lbs := tg.list("LoadBalancerArns")
	if lbs == nil {
		lbs = []any{}
	}
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{
		"TargetGroupArn": arn, "TargetGroupFullName": full, "TargetGroupName": tg.str("TargetGroupName"), "LoadBalancerArns": lbs,
	}}
}

func (elbTargetGroup) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, elbKinds)
	arn := r.PhysicalID
	if changed(old, p, targetGroupHealthProps...) {
		in := p.pick(map[string]any{"TargetGroupArn": arn}, targetGroupHealthProps...)
		if _, err := call(ctx, r, elbService, "ModifyTargetGroup", in); err != nil {
			return nil, err
		}
	}
	if attrs := p.list("TargetGroupAttributes"); len(attrs) > 0 && changed(old, p, "TargetGroupAttributes") {
		if _, err := call(ctx, r, elbService, "ModifyTargetGroupAttributes", map[string]any{"TargetGroupArn": arn, "Attributes": attrs}); err != nil {
			return nil, err
		}
	}
	if changed(old, p, "Targets") {
		key := func(t any) string { m := props(asMap(t)); return m.str("Id") + "/" + m.str("Port") }
		var gone, added []any
		for _, t := range old.list("Targets") {
			if !slices.ContainsFunc(p.list("Targets"), func(n any) bool { return key(n) == key(t) }) {
				gone = append(gone, t)
			}
		}
		for _, t := range p.list("Targets") {
			if !slices.ContainsFunc(old.list("Targets"), func(o any) bool { return key(o) == key(t) }) {
				added = append(added, t)
			}
		}
		if len(gone) > 0 {
			if _, err := call(ctx, r, elbService, "DeregisterTargets", map[string]any{"TargetGroupArn": arn, "Targets": gone}); err != nil {
				return nil, err
			}
		}
		if len(added) > 0 {
			if _, err := call(ctx, r, elbService, "RegisterTargets", map[string]any{"TargetGroupArn": arn, "Targets": added}); err != nil {
				return nil, err
			}
		}
	}
	if err := elbTags(ctx, r, arn, old, p); err != nil {
		return nil, err
	}
	out, err := call(ctx, r, elbService, "DescribeTargetGroups", map[string]any{"TargetGroupArns": []any{arn}})
	if err != nil {
		return nil, err
	}
	return elbTargetGroupResult(props(asMap(props(out).list("TargetGroups")[0]))), nil
}

func (elbTargetGroup) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, elbService, "DeleteTargetGroup", map[string]any{"TargetGroupArn": r.PhysicalID})
	return ignoreGone(err)
}

// elbListener is AWS::ElasticLoadBalancingV2::Listener; its Ref is its
// ARN.
type elbListener struct{}

var listenerProps = []string{"Port", "Protocol", "SslPolicy", "Certificates", "DefaultActions", "AlpnPolicy"}

func (elbListener) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, elbKinds)
	in := p.pick(map[string]any{"LoadBalancerArn": p.str("LoadBalancerArn")}, listenerProps...)
	out, err := call(ctx, r, elbService, "CreateListener", in)
	if err != nil {
		return nil, err
	}
	arn := props(asMap(props(out).list("Listeners")[0])).str("ListenerArn")
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{"ListenerArn": arn}}, nil
}

func (elbListener) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, elbKinds)
	in := p.pick(map[string]any{"ListenerArn": r.PhysicalID}, listenerProps...)
	if _, err := call(ctx, r, elbService, "ModifyListener", in); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"ListenerArn": r.PhysicalID}}, nil
}

func (elbListener) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, elbService, "DeleteListener", map[string]any{"ListenerArn": r.PhysicalID})
	return ignoreGone(err)
}

// elbListenerCertificate is AWS::ElasticLoadBalancingV2::ListenerCertificate:
// certificates added to a listener's certificate list besides its
// default one. Its Ref is an id of its own (STACK-LOGICALID-RANDOM); the
// listener and certificates are its properties.
type elbListenerCertificate struct{}

func (elbListenerCertificate) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	if err := listenerCertificates(ctx, r, "AddListenerCertificates", p.str("ListenerArn"), p.list("Certificates")); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: physicalName(r, 255)}, nil
}

func (elbListenerCertificate) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	listener := p.str("ListenerArn")
	// Add the new list first, so that a certificate in both stays.
	if err := listenerCertificates(ctx, r, "AddListenerCertificates", listener, p.list("Certificates")); err != nil {
		return nil, err
	}
	keep := map[string]bool{}
	for _, c := range p.list("Certificates") {
		keep[props(asMap(c)).str("CertificateArn")] = true
	}
	var gone []any
	for _, c := range old.list("Certificates") {
		if !keep[props(asMap(c)).str("CertificateArn")] {
			gone = append(gone, c)
		}
	}
	if err := listenerCertificates(ctx, r, "RemoveListenerCertificates", listener, gone); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID}, nil
}

func (elbListenerCertificate) Delete(ctx context.Context, r *resource.Request) error {
	p := props(r.Properties)
	return ignoreGone(listenerCertificates(ctx, r, "RemoveListenerCertificates", p.str("ListenerArn"), p.list("Certificates")))
}

// listenerCertificates adds or removes certificates, one per call as
// the operations take them.
func listenerCertificates(ctx context.Context, r *resource.Request, op, listener string, certs []any) error {
	for _, c := range certs {
		in := map[string]any{"ListenerArn": listener, "Certificates": []any{
			map[string]any{"CertificateArn": props(asMap(c)).str("CertificateArn")}}}
		if _, err := call(ctx, r, elbService, op, in); err != nil {
			return err
		}
	}
	return nil
}

// elbListenerRule is AWS::ElasticLoadBalancingV2::ListenerRule; its Ref
// is its ARN.
type elbListenerRule struct{}

func (elbListenerRule) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, elbKinds)
	in := p.pick(map[string]any{"ListenerArn": p.str("ListenerArn")}, "Priority", "Conditions", "Actions")
	out, err := call(ctx, r, elbService, "CreateRule", in)
	if err != nil {
		return nil, err
	}
	arn := props(asMap(props(out).list("Rules")[0])).str("RuleArn")
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{"RuleArn": arn, "IsDefault": false}}, nil
}

func (elbListenerRule) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, elbKinds)
	if changed(old, p, "Priority") {
		if _, err := call(ctx, r, elbService, "SetRulePriorities", map[string]any{"RulePriorities": []any{
			map[string]any{"RuleArn": r.PhysicalID, "Priority": p["Priority"]}}}); err != nil {
			return nil, err
		}
	}
	if changed(old, p, "Conditions", "Actions") {
		if _, err := call(ctx, r, elbService, "ModifyRule", p.pick(map[string]any{"RuleArn": r.PhysicalID}, "Conditions", "Actions")); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"RuleArn": r.PhysicalID, "IsDefault": false}}, nil
}

func (elbListenerRule) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, elbService, "DeleteRule", map[string]any{"RuleArn": r.PhysicalID})
	return ignoreGone(err)
}

// refuseTakenELB refuses a load balancer's or target group's name in use:
// CreateLoadBalancer and CreateTargetGroup answer one of the same name and
// settings with it. describe is the operation that finds it by Names.
func refuseTakenELB(ctx context.Context, r *resource.Request, describe, name string) error {
	look := lookup{service: elbService, op: describe, in: map[string]any{"Names": []any{name}}}
	return refuseTaken(ctx, r, look, resource.AlreadyExists(r.Type, name))
}
