package elbv2

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// maxListenersPerLB is "Listeners per load balancer: 50".
const maxListenersPerLB = 50

// defaultSslPolicy is the security policy of HTTPS listeners created
// without one.
const defaultSslPolicy = "ELBSecurityPolicy-2016-08"

func (s *Service) listenerShape(l *listener) Listener {
	out := Listener{ListenerArn: ptr(l.ARN), LoadBalancerArn: ptr(l.LoadBalancer), Port: ptr(l.Port),
		Protocol: ptr(l.Protocol), DefaultActions: l.DefaultActions, Certificates: l.Certificates}
	if l.SslPolicy != "" {
		out.SslPolicy = ptr(l.SslPolicy)
	}
	return out
}

// checkListener checks a listener's protocol, port and certificates for
// its load balancer's type.
func checkListener(l *listener, lb *loadBalancer) error {
	if l.Port < 1 || l.Port > 65535 {
		return validation("The listener port '%d' must be between 1 and 65535", l.Port)
	}
	if lb.isNetwork() {
		return checkNetworkListener(l)
	}
	switch l.Protocol {
	case "HTTP":
		if len(l.Certificates) > 0 {
			return validation("A certificate cannot be specified for HTTP listeners")
		}
		if l.SslPolicy != "" {
			return validation("An SSL policy cannot be specified for HTTP listeners")
		}
	case "HTTPS":
		if len(l.Certificates) == 0 {
			return validation("A certificate must be specified for HTTPS listeners")
		}
		if l.SslPolicy == "" {
			l.SslPolicy = defaultSslPolicy
		}
	default:
		return validation("Listener protocol '%s' must be one of 'HTTPS, HTTP'", l.Protocol)
	}
	return nil
}

// checkNetworkListener checks a Network Load Balancer listener: TCP,
// UDP and TCP_UDP, without certificates. A TLS listener needs a
// certificate, as AWS says; virga terminates no TLS, so one that has a
// certificate is refused too (a TCP listener passes TLS through to the
// targets instead).
func checkNetworkListener(l *listener) error {
	switch l.Protocol {
	case "TCP", "UDP", "TCP_UDP":
		if len(l.Certificates) > 0 {
			return validation("A certificate cannot be specified for %s listeners", l.Protocol)
		}
		if l.SslPolicy != "" {
			return validation("An SSL policy cannot be specified for %s listeners", l.Protocol)
		}
	case "TLS":
		if len(l.Certificates) == 0 {
			return validation("A certificate must be specified for TLS listeners")
		}
		if err := checkSSLPolicy(l.SslPolicy); err != nil {
			return err
		}
		return ErrUnsupportedProtocol.WithMessage("TLS listeners are not supported by virga, which terminates no TLS: a TCP listener passes TLS through to the targets")
	default:
		return validation("Listener protocol '%s' must be one of 'TCP, TLS, UDP, TCP_UDP'", l.Protocol)
	}
	return nil
}

// checkCertificates returns CertificateNotFound for the first
// certificate ACM does not keep. It runs before the service takes its
// lock, as ACM's own answers may need other services' locks; its error
// is reported after the listener's protocol checks, which come first.
func (s *Service) checkCertificates(certs []Certificate) error {
	if s.certs == nil {
		return nil
	}
	for _, c := range certs {
		arn := deref(c.CertificateArn)
		_, ok, err := s.certs.Lookup(arn)
		if err != nil {
			return err
		}
		if !ok {
			return ErrCertificateNotFound.WithMessage(fmt.Sprintf("Certificate '%s' not found", arn))
		}
	}
	return nil
}

func (s *Service) createListener(ctx context.Context, in *CreateListenerInput) (*CreateListenerOutput, error) {
	tags, err := newTags(ctx, in.Tags)
	if err != nil {
		return nil, err
	}
	certErr := s.checkCertificates(in.Certificates)
	s.mu.Lock()
	defer s.mu.Unlock()
	lb, err := s.lbLocked(deref(in.LoadBalancerArn))
	if err != nil {
		return nil, err
	}
	l := &listener{LoadBalancer: lb.ARN, Protocol: deref(in.Protocol), SslPolicy: deref(in.SslPolicy),
		Certificates: in.Certificates, Tags: tags}
	if l.Protocol == "" {
		l.Protocol = "HTTP"
		if lb.isNetwork() {
			l.Protocol = "TCP"
		}
	}
	if in.Port == nil {
		return nil, validation("A listener port must be specified")
	}
	l.Port = *in.Port
	if err := checkListener(l, lb); err != nil {
		return nil, err
	}
	if err := checkSSLPolicy(deref(in.SslPolicy)); err != nil {
		return nil, err
	}
	if certErr != nil {
		return nil, certErr
	}
	if err := s.checkActionsLocked(in.DefaultActions, l); err != nil {
		return nil, err
	}
	l.DefaultActions = normalizeActions(in.DefaultActions)
	n := 0
	for _, o := range s.listeners {
		if o.LoadBalancer != lb.ARN {
			continue
		}
		n++
		if o.Port == l.Port {
			// Creating the same listener again answers it.
			if o.Protocol == l.Protocol {
				return &CreateListenerOutput{Listeners: []Listener{s.listenerShape(o)}}, nil
			}
			return nil, ErrDuplicateListener
		}
	}
	if n >= maxListenersPerLB {
		return nil, ErrTooManyListeners.WithMessage(fmt.Sprintf("You've reached the limit on the number of listeners per load balancer (%d)", maxListenersPerLB))
	}
	l.ARN = fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:listener/%s/%s", s.region, s.account, lb.idPath(), s.ids.Hex(8))
	if err := s.commit(write{kindListener, l.ARN, l}); err != nil {
		return nil, err
	}
	s.listeners[l.ARN] = l
	s.bindLocked(l)
	return &CreateListenerOutput{Listeners: []Listener{s.listenerShape(l)}}, nil
}

func (s *Service) listenerLocked(arn string) (*listener, error) {
	l := s.listeners[arn]
	if l == nil {
		return nil, ErrListenerNotFound.WithMessage(fmt.Sprintf("Listener '%s' not found", arn))
	}
	return l, nil
}

func (s *Service) describeListeners(ctx context.Context, in *DescribeListenersInput) (*DescribeListenersOutput, error) {
	lbARN := deref(in.LoadBalancerArn)
	if (lbARN == "") == (len(in.ListenerArns) == 0) {
		return nil, validation("You must specify either listener ARNs or a load balancer ARN")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var list []*listener
	if lbARN != "" {
		if _, err := s.lbLocked(lbARN); err != nil {
			return nil, err
		}
		for _, l := range s.listeners {
			if l.LoadBalancer == lbARN {
				list = append(list, l)
			}
		}
		slices.SortFunc(list, func(a, b *listener) int { return int(a.Port - b.Port) })
	}
	for _, arn := range in.ListenerArns {
		l, err := s.listenerLocked(arn)
		if err != nil {
			return nil, err
		}
		list = append(list, l)
	}
	page, next, err := paginate(list, in.Marker, in.PageSize)
	if err != nil {
		return nil, err
	}
	out := &DescribeListenersOutput{NextMarker: next, Listeners: []Listener{}}
	for _, l := range page {
		out.Listeners = append(out.Listeners, s.listenerShape(l))
	}
	return out, nil
}

func (s *Service) modifyListener(ctx context.Context, in *ModifyListenerInput) (*ModifyListenerOutput, error) {
	certErr := s.checkCertificates(in.Certificates)
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := s.listenerLocked(deref(in.ListenerArn))
	if err != nil {
		return nil, err
	}
	next := *l
	if in.Port != nil {
		next.Port = *in.Port
		for _, o := range s.listeners {
			if o.LoadBalancer == l.LoadBalancer && o.ARN != l.ARN && o.Port == next.Port {
				return nil, ErrDuplicateListener
			}
		}
	}
	if in.Protocol != nil {
		next.Protocol = *in.Protocol
		if next.Protocol == "HTTP" {
			next.Certificates, next.SslPolicy, next.ExtraCertificates = nil, "", nil
		}
	}
	if in.Certificates != nil {
		next.Certificates = in.Certificates
	}
	if in.SslPolicy != nil {
		next.SslPolicy = *in.SslPolicy
	}
	lb, err := s.lbLocked(l.LoadBalancer)
	if err != nil {
		return nil, err
	}
	if err := checkListener(&next, lb); err != nil {
		return nil, err
	}
	// Only a policy given now is checked: a listener keeps the one it
	// has.
	if err := checkSSLPolicy(deref(in.SslPolicy)); err != nil {
		return nil, err
	}
	if certErr != nil {
		return nil, certErr
	}
	if in.DefaultActions != nil {
		next.DefaultActions = normalizeActions(in.DefaultActions)
	}
	// A new protocol must suit the target groups the listener forwards to.
	if in.DefaultActions != nil || next.Protocol != l.Protocol {
		if err := s.checkActionsLocked(next.DefaultActions, &next); err != nil {
			return nil, err
		}
	}
	if err := s.commit(write{kindListener, l.ARN, &next}); err != nil {
		return nil, err
	}
	s.listeners[l.ARN] = &next
	if next.Port != l.Port || next.Protocol != l.Protocol {
		s.unbindLocked(l.ARN)
		s.bindLocked(&next)
	}
	return &ModifyListenerOutput{Listeners: []Listener{s.listenerShape(&next)}}, nil
}

func (s *Service) deleteListener(ctx context.Context, in *DeleteListenerInput) (*DeleteListenerOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := s.listenerLocked(deref(in.ListenerArn))
	if err != nil {
		return nil, err
	}
	ws := []write{{kindListener, l.ARN, nil}}
	for _, r := range s.rules {
		if r.Listener == l.ARN {
			ws = append(ws, write{kindRule, r.ARN, nil})
		}
	}
	if err := s.commit(ws...); err != nil {
		return nil, err
	}
	for _, w := range ws[1:] {
		delete(s.rules, w.arn)
	}
	s.unbindLocked(l.ARN)
	delete(s.listeners, l.ARN)
	return &DeleteListenerOutput{}, nil
}

// listenerIDPath is "app/NAME/LBID/LISTENERID", the part of a listener's
// ARN its rules' ARNs repeat.
func listenerIDPath(arn string) string {
	_, p, _ := strings.Cut(arn, ":listener/")
	return p
}

// CertificateUsers returns the ARNs of the load balancers whose
// listeners name a certificate, sorted, for ACM's InUseBy. ACM asks
// while it holds its own lock; the service never calls ACM while it
// holds its lock.
func (s *Service) CertificateUsers(arn string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for _, l := range s.listeners {
		if slices.Contains(l.certificateList(), arn) {
			out = append(out, l.LoadBalancer)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
