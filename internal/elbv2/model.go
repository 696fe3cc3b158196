package elbv2

import "strings"

// tag is one tag of a resource, in the order it was added.
type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// loadBalancer is an Application (Type application) or Network (Type
// network) Load Balancer.
type loadBalancer struct {
	ARN            string            `json:"arn"`
	Name           string            `json:"name"`
	ID             string            `json:"id"` // the ARN's last part
	DNSName        string            `json:"dns"`
	Scheme         string            `json:"scheme"`
	Type           string            `json:"type"`
	IPAddressType  string            `json:"ipAddressType"`
	Subnets        []string          `json:"subnets,omitempty"`
	SecurityGroups []string          `json:"securityGroups,omitempty"`
	Created        int64             `json:"created"`
	Attributes     map[string]string `json:"attrs,omitempty"`
	Tags           []tag             `json:"tags,omitempty"`
}

// targetGroup is a target group and its registered targets.
type targetGroup struct {
	ARN             string            `json:"arn"`
	Name            string            `json:"name"`
	Protocol        string            `json:"protocol,omitempty"`
	ProtocolVersion string            `json:"protocolVersion,omitempty"`
	Port            int32             `json:"port,omitempty"`
	VpcID           string            `json:"vpc,omitempty"`
	TargetType      string            `json:"targetType"`
	IPAddressType   string            `json:"ipAddressType,omitempty"`
	Health          healthCheck       `json:"health"`
	Attributes      map[string]string `json:"attrs,omitempty"`
	Tags            []tag             `json:"tags,omitempty"`
	Targets         []target          `json:"targets,omitempty"`
	// Draining are deregistered targets within their deregistration
	// delay: they get no new requests and are described as draining.
	Draining []drainingTarget `json:"draining,omitempty"`
	Created  int64            `json:"created"`
}

// drainingTarget is a deregistered target until its deregistration delay
// ends (Unix milliseconds on the clock).
type drainingTarget struct {
	Target target `json:"target"`
	Until  int64  `json:"until"`
}

// healthCheck is a target group's health check settings.
type healthCheck struct {
	Enabled            bool   `json:"enabled"`
	Protocol           string `json:"protocol,omitempty"`
	Port               string `json:"port,omitempty"`
	Path               string `json:"path,omitempty"`
	IntervalSeconds    int32  `json:"interval"`
	TimeoutSeconds     int32  `json:"timeout"`
	HealthyThreshold   int32  `json:"healthy"`
	UnhealthyThreshold int32  `json:"unhealthy"`
	Matcher            string `json:"matcher,omitempty"`
}

// target is a registered target: an instance id or IP address and port,
// or a Lambda function's ARN.
type target struct {
	ID   string `json:"id"`
	Port int32  `json:"port,omitempty"`
	AZ   string `json:"az,omitempty"`
}

// listener is a listener and its default actions.
type listener struct {
	ARN          string        `json:"arn"`
	LoadBalancer string        `json:"lb"`
	Port         int32         `json:"port"`
	Protocol     string        `json:"protocol"`
	SslPolicy    string        `json:"sslPolicy,omitempty"`
	Certificates []Certificate `json:"certificates,omitempty"`
	// ExtraCertificates are the certificates AddListenerCertificates
	// added besides the default one (op_certificates.go).
	ExtraCertificates []string `json:"extraCerts,omitempty"`
	DefaultActions    []Action `json:"defaultActions"`
	Tags              []tag    `json:"tags,omitempty"`
}

// rule is a listener rule other than the default one.
type rule struct {
	ARN        string          `json:"arn"`
	Listener   string          `json:"listener"`
	Priority   int32           `json:"priority"`
	Conditions []RuleCondition `json:"conditions"`
	Actions    []Action        `json:"actions"`
	Tags       []tag           `json:"tags,omitempty"`
}

// targetGroupARNs returns the target groups actions forward to.
func targetGroupARNs(actions []Action) []string {
	var out []string
	for _, a := range actions {
		if deref(a.Type) != "forward" {
			continue
		}
		if a.TargetGroupArn != nil {
			out = append(out, *a.TargetGroupArn)
		}
		if a.ForwardConfig != nil {
			for _, t := range a.ForwardConfig.TargetGroups {
				if t.TargetGroupArn != nil && (a.TargetGroupArn == nil || *a.TargetGroupArn != *t.TargetGroupArn) {
					out = append(out, *t.TargetGroupArn)
				}
			}
		}
	}
	return out
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func ptr[T any](v T) *T { return &v }

// isNetwork reports whether the load balancer is a Network Load
// Balancer.
func (lb *loadBalancer) isNetwork() bool { return lb.Type == "network" }

// lbIDPath is "app/NAME/ID" (or "net/NAME/ID"), the part of a load balancer's ARN its
// listeners' and rules' ARNs repeat.
func (lb *loadBalancer) idPath() string {
	_, p, _ := strings.Cut(lb.ARN, ":loadbalancer/")
	return p
}
