package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::Events::EventBusPolicy",
		Required: []string{"StatementId"},
		Provider: &eventBusPolicy{},
		// The schema's create-only properties, which identify the
		// statement.
		Replace:    []string{"EventBusName", "StatementId"},
		Attributes: []string{"Id"},
	})
}

// eventBusPolicy is AWS::Events::EventBusPolicy: one statement of a bus's
// resource policy, named by StatementId. With Action, Principal and
// Condition it is PutPermission's statement; with Statement, the
// statement is put into the bus's policy as written (its Sid set to
// StatementId), through PutPermission's Policy. Its Ref and Fn::GetAtt Id
// are the bus's name and the statement id joined by "|", the schema's
// identifier as CloudFormation joins composite identifiers.
type eventBusPolicy struct {
	// mu makes this type's writes one at a time: a Statement is put by
	// reading the bus's policy and writing it back whole, which would
	// lose a statement another resource of the stack (created in
	// parallel) put in between.
	mu sync.Mutex
}

func (t *eventBusPolicy) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	// PutPermission replaces a statement of the same id.
	p := props(r.Properties)
	id, bus := p.str("StatementId"), p.str("EventBusName")
	look := lookup{service: "events", op: "DescribeEventBus", in: map[string]any{},
		found: func(out props) bool {
			_, statements, err := busPolicy(out.str("Policy"))
			return err == nil && slices.ContainsFunc(statements, func(s any) bool { return props(asMap(s)).str("Sid") == id })
		}}
	if bus != "" {
		look.in = map[string]any{"Name": bus}
	} else {
		bus = "default"
	}
	if err := refuseTaken(ctx, r, look, resource.AlreadyExists(r.Type, bus+"|"+id)); err != nil {
		return nil, err
	}
	return putBusStatement(ctx, r)
}

// Update puts the statement again: PutPermission replaces the statement
// with the same id.
func (t *eventBusPolicy) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return putBusStatement(ctx, r)
}

func putBusStatement(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	id, bus := p.str("StatementId"), p.str("EventBusName")
	if id == "" {
		return nil, fmt.Errorf("property StatementId is required")
	}
	in := map[string]any{}
	if bus != "" {
		in["EventBusName"] = bus
	}
	if p.has("Statement") {
		policy, err := withStatement(ctx, r, bus, id, p["Statement"])
		if err != nil {
			return nil, err
		}
		in["Policy"] = policy
	} else {
		p.pick(in, "Action", "Principal", "Condition")
		in["StatementId"] = id
	}
	if _, err := call(ctx, r, "events", "PutPermission", in); err != nil {
		return nil, err
	}
	if bus == "" {
		bus = "default"
	}
	ref := bus + "|" + id
	return &resource.Result{PhysicalID: ref, Attributes: map[string]any{"Id": ref}}, nil
}

// withStatement is the bus's policy with the statement put in under id,
// replacing a statement with the same Sid.
func withStatement(ctx context.Context, r *resource.Request, bus, id string, statement any) (string, error) {
	st, ok := statement.(map[string]any)
	if !ok {
		text, err := jsonText(statement)
		if err != nil {
			return "", err
		}
		if err := json.Unmarshal([]byte(text), &st); err != nil || st == nil {
			return "", fmt.Errorf("property Statement must be a JSON object")
		}
	}
	own := map[string]any{"Sid": id}
	for k, v := range st {
		if k != "Sid" {
			own[k] = v
		}
	}
	in := map[string]any{}
	if bus != "" {
		in["Name"] = bus
	}
	out, err := call(ctx, r, "events", "DescribeEventBus", in)
	if err != nil {
		return "", err
	}
	doc, statements, err := busPolicy(outStr(out, "Policy"))
	if err != nil {
		return "", fmt.Errorf("reading the policy of event bus %s: %w", bus, err)
	}
	var kept []any
	for _, s := range statements {
		if props(asMap(s)).str("Sid") != id {
			kept = append(kept, s)
		}
	}
	doc["Statement"] = append(kept, own)
	return jsonText(doc)
}

// busPolicy reads an event bus's policy text (empty for none) and its
// statements, one or a list.
func busPolicy(text string) (map[string]any, []any, error) {
	doc := map[string]any{"Version": "2012-10-17"}
	if text == "" {
		return doc, nil, nil
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return nil, nil, err
	}
	if one, ok := doc["Statement"].(map[string]any); ok {
		return doc, []any{one}, nil
	}
	return doc, props(doc).list("Statement"), nil
}

func (t *eventBusPolicy) Delete(ctx context.Context, r *resource.Request) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	bus, id, _ := strings.Cut(r.PhysicalID, "|")
	in := map[string]any{"StatementId": id, "EventBusName": bus}
	_, err := call(ctx, r, "events", "RemovePermission", in)
	return ignoreGone(err)
}
