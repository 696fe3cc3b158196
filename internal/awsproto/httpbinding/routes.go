package httpbinding

import (
	"fmt"
	"reflect"

	"github.com/virga/virga/internal/awsproto"
)

// Routes is a service's operation table compiled into a router, for the
// REST protocols' Init and Resolve.
type Routes struct {
	svc    *awsproto.Service
	router Router[*awsproto.Operation]
}

// Compile builds the router of s's operations from their HTTP bindings,
// and checks each operation's input and output shapes. It panics on an
// operation without a binding, a malformed or duplicate binding, a
// malformed shape, or a URI member with no label of its name in the
// binding: the table is code, and the first test finds the mistake.
func Compile(s *awsproto.Service) *Routes {
	rs := &Routes{svc: s}
	for i := range s.Operations {
		op := &s.Operations[i]
		if op.HTTP == "" {
			panic(fmt.Sprintf("httpbinding: %s.%s has no HTTP binding", s.Name, op.Name))
		}
		rt, err := compile[*awsproto.Operation](op.HTTP)
		if err != nil {
			panic(fmt.Sprintf("httpbinding: %s.%s: %v", s.Name, op.Name, err))
		}
		if err := rs.router.Add(op.HTTP, op); err != nil {
			panic(fmt.Sprintf("httpbinding: %s.%s: %v", s.Name, op.Name, err))
		}
		in := PlanOf(reflect.TypeOf(op.Handler.NewInput()))
		PlanOf(op.Handler.OutputType())
		labels := map[string]bool{}
		for _, sg := range rt.segs {
			if sg.kind != segLiteral {
				labels[sg.text] = true
			}
		}
		for _, f := range in.Labels {
			if !labels[f.LocName] {
				panic(fmt.Sprintf("httpbinding: %s.%s: member %s is bound to label %q, which %q does not have",
					s.Name, op.Name, f.GoName, f.LocName, op.HTTP))
			}
		}
	}
	return rs
}

// Service is the service the routes were compiled for.
func (rs *Routes) Service() *awsproto.Service { return rs.svc }

// Resolve finds the operation c's request is bound to and sets c.Op and
// c.Params (the decoded URI labels). It reports how the request matched.
func (rs *Routes) Resolve(c *awsproto.Call) Result {
	op, params, res := rs.router.Match(c.Request.Method, c.Request.URL)
	if res == Matched {
		c.Op, c.Params = op, params
	}
	return res
}
