package elbv2

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httputil"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// TargetGroupInfo is what another service needs to know of a target
// group before it registers targets in it.
type TargetGroupInfo struct {
	Name       string
	TargetType string // instance, ip, lambda or alb
	// HasLoadBalancer says whether a listener or rule of a load balancer
	// forwards to the group (its LoadBalancerArns are not empty).
	HasLoadBalancer bool
}

// TargetHealthInfo is a target's health as DescribeTargetHealth reports
// it: its state, and for a target not healthy, the reason code and its
// description.
type TargetHealthInfo struct {
	State       string
	Reason      string
	Description string
}

// TargetGroup describes a target group by ARN; ok is false when there is
// none.
func (s *Service) TargetGroup(arn string) (info TargetGroupInfo, ok bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	tg := s.tgs[arn]
	if tg == nil {
		return TargetGroupInfo{}, false
	}
	return TargetGroupInfo{Name: tg.Name, TargetType: tg.TargetType, HasLoadBalancer: s.tgInUseLocked(arn)}, true
}

// RegisterTarget registers one target (an IP address or instance id and
// a port) as RegisterTargets does.
func (s *Service) RegisterTarget(ctx context.Context, targetGroupARN, id string, port int32) error {
	_, err := s.registerTargets(ctx, &RegisterTargetsInput{TargetGroupArn: ptr(targetGroupARN),
		Targets: []TargetDescription{{Id: ptr(id), Port: ptr(port)}}})
	return err
}

// DeregisterTarget deregisters one target as DeregisterTargets does and
// returns how long it drains: the group's deregistration delay while a
// load balancer uses the group, zero otherwise. A target that is not
// registered is not an error.
func (s *Service) DeregisterTarget(ctx context.Context, targetGroupARN, id string, port int32) (time.Duration, error) {
	s.mu.RLock()
	var drain time.Duration
	if tg := s.tgs[targetGroupARN]; tg != nil && s.tgInUseLocked(tg.ARN) {
		drain = deregistrationDelay(tg)
	}
	s.mu.RUnlock()
	_, err := s.deregisterTargets(ctx, &DeregisterTargetsInput{TargetGroupArn: ptr(targetGroupARN),
		Targets: []TargetDescription{{Id: ptr(id), Port: ptr(port)}}})
	if ae := apierr.As(err); ae != nil && (ae.Code == ErrInvalidTarget.Code || ae.Code == ErrTargetGroupNotFound.Code) {
		return 0, nil
	}
	return drain, err
}

// TargetHealth is one target's health, as DescribeTargetHealth reports
// it.
func (s *Service) TargetHealth(ctx context.Context, targetGroupARN, id string, port int32) (TargetHealthInfo, error) {
	out, err := s.describeTargetHealth(ctx, &DescribeTargetHealthInput{TargetGroupArn: ptr(targetGroupARN),
		Targets: []TargetDescription{{Id: ptr(id), Port: ptr(port)}}})
	if err != nil {
		return TargetHealthInfo{}, err
	}
	for _, d := range out.TargetHealthDescriptions {
		if h := d.TargetHealth; h != nil {
			return TargetHealthInfo{State: deref(h.State), Reason: deref(h.Reason), Description: deref(h.Description)}, nil
		}
	}
	return TargetHealthInfo{}, nil
}

// ErrNoListener is ServeListener's answer for a listener that does not
// exist.
var ErrNoListener = errors.New("elbv2: no such listener")

// ServeListener serves a request as the listener with the ARN receives
// it, for API Gateway's private integrations, which reach a listener
// through a VPC link. An Application Load Balancer's listener applies
// its rules and actions as on its own port. A Network Load Balancer's
// TCP listener passes the request on, as it is, to its next target (as
// a new connection to the listener would go to it). It answers an error,
// having written nothing, when the request reached no server: the
// listener does not exist (ErrNoListener), or a Network Load Balancer's
// has no target to go to or its target refuses the connection.
func (s *Service) ServeListener(w http.ResponseWriter, r *http.Request, listenerARN string) (err error) {
	defer func() {
		// A target that fails in the middle of its answer ends the
		// exchange, as it would end the client's connection.
		if v := recover(); v != nil && v != http.ErrAbortHandler {
			panic(v)
		}
	}()
	s.mu.RLock()
	l := s.listeners[listenerARN]
	s.mu.RUnlock()
	if l == nil {
		return ErrNoListener
	}
	if !isNetworkProtocol(l.Protocol) {
		s.serveListener(w, r, listenerARN)
		return nil
	}
	if l.Protocol == "UDP" {
		return fmt.Errorf("elbv2: listener %s takes UDP datagrams, not requests", listenerARN)
	}
	addr, ok := s.pickL4Target(listenerARN)
	if !ok {
		return fmt.Errorf("elbv2: listener %s has no target", listenerARN)
	}
	p := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme, pr.Out.URL.Host = "http", addr
			pr.Out.Host = r.Host
		},
		Transport:    s.transport,
		ErrorHandler: func(_ http.ResponseWriter, _ *http.Request, e error) { err = e },
	}
	p.ServeHTTP(w, r)
	return err
}
