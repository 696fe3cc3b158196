package elbv2

import (
	"context"
	"fmt"
	"slices"
)

// maxCertificatesPerLB is "Certificates per Application Load Balancer
// (excluding default certificates): 25" (and the same per Network Load
// Balancer): the certificates AddListenerCertificates adds, counted over
// all of a load balancer's listeners.
const maxCertificatesPerLB = 25

// A listener's certificate list is its default certificate (Certificates,
// the one CreateListener and ModifyListener set) followed by the ones
// AddListenerCertificates added (ExtraCertificates). Only HTTPS and TLS
// listeners have one.

// certificateArns returns the ARNs of certificates, in order.
func certificateArns(certs []Certificate) []string {
	out := make([]string, 0, len(certs))
	for _, c := range certs {
		out = append(out, deref(c.CertificateArn))
	}
	return out
}

// secureListenerLocked returns the listener an ARN names, which must be HTTPS
// or TLS to have a certificate list.
func (s *Service) secureListenerLocked(arn string) (*listener, error) {
	l, err := s.listenerLocked(arn)
	if err != nil {
		return nil, err
	}
	if l.Protocol != "HTTPS" && l.Protocol != "TLS" {
		return nil, validation("Listener '%s' is not an HTTPS or TLS listener: only those have certificates", arn)
	}
	return l, nil
}

func (s *Service) addListenerCertificates(ctx context.Context, in *AddListenerCertificatesInput) (*AddListenerCertificatesOutput, error) {
	certErr := s.checkCertificates(in.Certificates)
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := s.secureListenerLocked(deref(in.ListenerArn))
	if err != nil {
		return nil, err
	}
	if certErr != nil {
		return nil, certErr
	}
	next := *l
	next.ExtraCertificates = slices.Clone(l.ExtraCertificates)
	out := &AddListenerCertificatesOutput{Certificates: []Certificate{}}
	for _, arn := range certificateArns(in.Certificates) {
		out.Certificates = append(out.Certificates, Certificate{CertificateArn: ptr(arn), IsDefault: ptr(false)})
		// A certificate already in the list is not added again.
		if slices.Contains(next.certificateList(), arn) {
			continue
		}
		next.ExtraCertificates = append(next.ExtraCertificates, arn)
	}
	added := len(next.ExtraCertificates) - len(l.ExtraCertificates)
	if added == 0 {
		return out, nil
	}
	if s.extraCertificatesLocked(l.LoadBalancer)+added > maxCertificatesPerLB {
		return nil, ErrTooManyCertificates.WithMessage(fmt.Sprintf("You've reached the limit on the number of certificates per load balancer (%d)", maxCertificatesPerLB))
	}
	if err := s.commit(write{kindListener, l.ARN, &next}); err != nil {
		return nil, err
	}
	s.listeners[l.ARN] = &next
	return out, nil
}

// extraCertificatesLocked counts the certificates added to a load
// balancer's listeners besides their default ones.
func (s *Service) extraCertificatesLocked(lbARN string) int {
	n := 0
	for _, l := range s.listeners {
		if l.LoadBalancer == lbARN {
			n += len(l.ExtraCertificates)
		}
	}
	return n
}

func (s *Service) removeListenerCertificates(ctx context.Context, in *RemoveListenerCertificatesInput) (*RemoveListenerCertificatesOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := s.listenerLocked(deref(in.ListenerArn))
	if err != nil {
		return nil, err
	}
	remove := certificateArns(in.Certificates)
	for _, c := range l.Certificates {
		if slices.Contains(remove, deref(c.CertificateArn)) {
			return nil, ErrOperationNotPermitted.WithMessage("The default certificate of a listener cannot be removed: replace it with ModifyListener")
		}
	}
	next := *l
	next.ExtraCertificates = slices.DeleteFunc(slices.Clone(l.ExtraCertificates), func(arn string) bool { return slices.Contains(remove, arn) })
	if len(next.ExtraCertificates) == len(l.ExtraCertificates) {
		return &RemoveListenerCertificatesOutput{}, nil
	}
	if len(next.ExtraCertificates) == 0 {
		next.ExtraCertificates = nil
	}
	if err := s.commit(write{kindListener, l.ARN, &next}); err != nil {
		return nil, err
	}
	s.listeners[l.ARN] = &next
	return &RemoveListenerCertificatesOutput{}, nil
}

func (s *Service) describeListenerCertificates(ctx context.Context, in *DescribeListenerCertificatesInput) (*DescribeListenerCertificatesOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	l, err := s.listenerLocked(deref(in.ListenerArn))
	if err != nil {
		return nil, err
	}
	var list []Certificate
	for i, arn := range l.certificateList() {
		list = append(list, Certificate{CertificateArn: ptr(arn), IsDefault: ptr(i < len(l.Certificates))})
	}
	page, next, err := paginate(list, in.Marker, in.PageSize)
	if err != nil {
		return nil, err
	}
	return &DescribeListenerCertificatesOutput{Certificates: append([]Certificate{}, page...), NextMarker: next}, nil
}

// certificateList is the listener's certificate list: its default
// certificate, then the ones added to it.
func (l *listener) certificateList() []string {
	return append(certificateArns(l.Certificates), l.ExtraCertificates...)
}
