package app

import (
	"context"
	"net/http"
	"time"

	"github.com/virga/virga/internal/apigatewayv2"
	"github.com/virga/virga/internal/ecs"
	"github.com/virga/virga/internal/elbv2"
)

// serviceTargets lets ECS register its services' tasks in Elastic Load
// Balancing target groups.
type serviceTargets struct{ b *elbv2.Service }

var _ ecs.LoadBalancers = serviceTargets{}

func (t serviceTargets) TargetGroup(arn string) (ecs.TargetGroup, bool) {
	info, ok := t.b.TargetGroup(arn)
	return ecs.TargetGroup{Name: info.Name, TargetType: info.TargetType, HasLoadBalancer: info.HasLoadBalancer}, ok
}

func (t serviceTargets) RegisterTarget(ctx context.Context, tg, ip string, port int) error {
	return t.b.RegisterTarget(ctx, tg, ip, int32(port))
}

func (t serviceTargets) DeregisterTarget(ctx context.Context, tg, ip string, port int) (time.Duration, error) {
	return t.b.DeregisterTarget(ctx, tg, ip, int32(port))
}

func (t serviceTargets) TargetHealth(ctx context.Context, tg, ip string, port int) (ecs.TargetHealth, error) {
	h, err := t.b.TargetHealth(ctx, tg, ip, int32(port))
	return ecs.TargetHealth{State: h.State, Reason: h.Reason, Description: h.Description}, err
}

// balancerListeners serves API Gateway's private integrations with the
// load balancers' listeners, made after API Gateway: until then there
// is no listener.
type balancerListeners struct{ b *elbv2.Service }

var _ apigatewayv2.Listeners = (*balancerListeners)(nil)

func (l *balancerListeners) ServeListener(w http.ResponseWriter, r *http.Request, arn string) error {
	if l.b == nil {
		return elbv2.ErrNoListener
	}
	return l.b.ServeListener(w, r, arn)
}
