package providers_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/cfn/providers"
	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/ids"
)

const (
	testAccount = "000000000000"
	testStack   = "teststack"
	testStackID = "arn:aws:cloudformation:us-east-1:" + testAccount + ":stack/teststack/0d3c5a70-8c11-11ef-9f1a-0a8b1c2d3e4f"
	testRole    = "arn:aws:iam::" + testAccount + ":role/stack-role"
)

// stack is a running virga and the resource.Env a stack's providers
// get: every call goes through the services' own operations
// (awsproto.Service.Call), as the engine's do.
type stack struct {
	t   *testing.T
	v   *e2e.Env
	env *resource.Env
}

func newStack(t *testing.T) *stack {
	t.Helper()
	v := e2e.Start(t)
	host := strings.TrimPrefix(v.Endpoint, "http://")
	env := &resource.Env{
		Call: func(ctx context.Context, service, op string, in map[string]any) (map[string]any, error) {
			s := v.App.Service(service)
			if s == nil {
				return nil, fmt.Errorf("no service %s", service)
			}
			return s.Call(ctx, awsproto.CallOptions{Host: host}, op, in)
		},
		Region: v.Cfg.Region, Account: v.Cfg.AccountID, Endpoint: v.Endpoint,
		WaitHandles: providers.NewWaitHandles(ids.New(rand.Reader)),
	}
	if v.Clock != nil {
		env.Clock = v.Clock
	}
	return &stack{t: t, v: v, env: env}
}

// call runs an operation and fails the test on an error.
func (s *stack) call(service, op string, in map[string]any) map[string]any {
	s.t.Helper()
	out, err := s.env.Call(context.Background(), service, op, in)
	if err != nil {
		s.t.Fatalf("%s %s: %v", service, op, err)
	}
	return out
}

// callErr runs an operation and returns its error code ("" for success).
func (s *stack) callErr(service, op string, in map[string]any) string {
	s.t.Helper()
	_, err := s.env.Call(context.Background(), service, op, in)
	if err == nil {
		return ""
	}
	var e *apierr.Error
	if errors.As(err, &e) {
		return e.Code
	}
	s.t.Fatalf("%s %s: %v", service, op, err)
	return ""
}

// res is one resource of the stack, driven as the engine drives it.
type res struct {
	s       *stack
	typ     *resource.Type
	logical string
	props   map[string]any
	result  *resource.Result
}

func (s *stack) request(typ, logical string) *resource.Request {
	return &resource.Request{LogicalID: logical, Type: typ, StackName: testStack, StackID: testStackID, Env: s.env}
}

// create makes a resource and fails the test if it cannot.
func (s *stack) create(typ, logical string, p map[string]any) *res {
	s.t.Helper()
	r, err := s.tryCreate(typ, logical, p)
	if err != nil {
		s.t.Fatalf("creating %s %s: %v", typ, logical, err)
	}
	return r
}

func (s *stack) tryCreate(typ, logical string, p map[string]any) (*res, error) {
	s.t.Helper()
	t := resource.Lookup(typ)
	if t == nil {
		s.t.Fatalf("%s is not registered", typ)
	}
	req := s.request(typ, logical)
	req.Properties = p
	result, err := t.Create(context.Background(), req)
	if err != nil {
		return nil, err
	}
	if result.PhysicalID == "" {
		s.t.Fatalf("%s %s: no physical ID", typ, logical)
	}
	return &res{s: s, typ: t, logical: logical, props: p, result: result}, nil
}

// ref is what Ref gives.
func (r *res) ref() string {
	if r.result.Ref != "" {
		return r.result.Ref
	}
	return r.result.PhysicalID
}

// attr is what Fn::GetAtt gives, checked against the type's list.
func (r *res) attr(name string) string {
	r.s.t.Helper()
	if r.typ.Attributes != nil && !contains(r.typ.Attributes, name) {
		r.s.t.Fatalf("%s does not list attribute %s", r.typ.Name, name)
	}
	v, ok := r.result.Attributes[name]
	if !ok {
		r.s.t.Fatalf("%s %s has no attribute %s: %v", r.typ.Name, r.logical, name, r.result.Attributes)
	}
	return fmt.Sprint(v)
}

func contains(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}

func (r *res) updateRequest(p map[string]any) *resource.Request {
	req := r.s.request(r.typ.Name, r.logical)
	req.Properties, req.OldProperties = p, r.props
	req.PhysicalID, req.Attributes = r.result.PhysicalID, r.result.Attributes
	return req
}

// update changes the resource in place, after checking that the change
// does not replace it, and fails the test if it cannot.
func (r *res) update(p map[string]any) {
	r.s.t.Helper()
	if err := r.tryUpdate(p); err != nil {
		r.s.t.Fatalf("updating %s %s: %v", r.typ.Name, r.logical, err)
	}
}

func (r *res) tryUpdate(p map[string]any) error {
	r.s.t.Helper()
	if r.typ.NeedsReplacement(r.props, p) {
		r.s.t.Fatalf("%s %s: the update would replace the resource", r.typ.Name, r.logical)
	}
	result, err := r.typ.Update(context.Background(), r.updateRequest(p))
	if err != nil {
		return err
	}
	if result.PhysicalID != r.result.PhysicalID {
		r.s.t.Errorf("%s %s: an update changed the physical ID from %s to %s", r.typ.Name, r.logical, r.result.PhysicalID, result.PhysicalID)
	}
	r.props, r.result = p, result
	return nil
}

// replaces reports whether changing the resource's properties with
// change replaces it.
func (r *res) replaces(change map[string]any) bool {
	return r.typ.NeedsReplacement(r.props, with(r.props, change))
}

// with returns a copy of p changed by change, whose nil values remove
// properties.
func with(p, change map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range p {
		out[k] = v
	}
	for k, v := range change {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// checkReplacement checks, for each change, whether it replaces the
// resource.
func (r *res) checkReplacement(cases map[string]map[string]any, replacing ...string) {
	r.s.t.Helper()
	for name, change := range cases {
		want := contains(replacing, name)
		if got := r.replaces(change); got != want {
			r.s.t.Errorf("%s: changing %s replaces: %v, want %v", r.typ.Name, name, got, want)
		}
	}
}

// delete deletes the resource, then deletes it again, as the engine may
// after a failure: both succeed.
func (r *res) delete() {
	r.s.t.Helper()
	for i := range 2 {
		req := r.s.request(r.typ.Name, r.logical)
		req.Properties, req.PhysicalID, req.Attributes = r.props, r.result.PhysicalID, r.result.Attributes
		if err := r.typ.Delete(context.Background(), req); err != nil {
			r.s.t.Fatalf("deleting %s %s (time %d): %v", r.typ.Name, r.logical, i+1, err)
		}
	}
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatalf("%q: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("%q: %v", b, err)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

// num is a template's number.
func num(s string) json.Number { return json.Number(s) }

// generated reports whether name is one CloudFormation makes for the
// stack's resource logical: STACK-LOGICAL-RANDOM.
func generated(name, logical string) bool {
	prefix := testStack + "-" + logical + "-"
	return strings.HasPrefix(name, prefix) && len(name) == len(prefix)+13
}

// handlerGenerated is generated for the names of the types whose newer
// handlers make them, whose random part is 12 characters.
func handlerGenerated(name, logical string) bool {
	prefix := testStack + "-" + logical + "-"
	return strings.HasPrefix(name, prefix) && len(name) == len(prefix)+12
}

// get reads a path of object members from an output document.
func get(doc map[string]any, path ...string) any {
	var v any = doc
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// str is get as text.
func str(doc map[string]any, path ...string) string {
	v := get(doc, path...)
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// failedCreate runs a Create that must fail and returns its result: the
// resource it names, if any, is what the rollback deletes.
func (s *stack) failedCreate(typ, logical string, p map[string]any) *resource.Result {
	s.t.Helper()
	req := s.request(typ, logical)
	req.Properties = p
	result, err := resource.Lookup(typ).Create(context.Background(), req)
	if err == nil {
		s.t.Fatalf("creating %s %s: no error", typ, logical)
	}
	return result
}

// failCall makes the stack's nth call (from 1) of op from now on fail,
// as a service's fault would, and leaves the others alone.
func (s *stack) failCall(op string, nth int32) {
	call := s.env.Call
	var calls atomic.Int32
	s.env.Call = func(ctx context.Context, service, o string, in map[string]any) (map[string]any, error) {
		if o == op && calls.Add(1) == nth {
			return nil, apierr.New("InternalFailure", 500, "injected fault")
		}
		return call(ctx, service, o, in)
	}
}
