package awsproto

import (
	"context"
	"reflect"
	"testing"
)

type pascalItem struct {
	ItemName *string           `aws:"name=itemName"`
	Labels   map[string]string `aws:"name=labels"`
}

type pascalInput struct {
	TableName *string               `aws:"name=tableName"`
	Items     []pascalItem          `aws:"name=items"`
	ByKey     map[string]pascalItem `aws:"name=byKey"`
}

type pascalOutput struct {
	NextToken *string      `aws:"name=nextToken"`
	Items     []pascalItem `aws:"name=items"`
}

// TestPascalCaseMembers: ModelInput gives members named in Pascal case
// (or as the model names them) the model's names, in nested structures,
// lists and map values, and PascalOutput names an output's members in
// Pascal case; map keys are data and keep their case.
func TestPascalCaseMembers(t *testing.T) {
	t.Parallel()
	o := &Operation{Name: "List", Handler: Handle(func(context.Context, *pascalInput) (*pascalOutput, error) { return nil, nil })}
	in := ModelInput(o, map[string]any{
		"TableName": "t",
		"Items":     []any{map[string]any{"ItemName": "a", "Labels": map[string]any{"color": "red"}}},
		"byKey":     map[string]any{"key": map[string]any{"ItemName": "b"}},
		"Unknown":   1,
	})
	want := map[string]any{
		"tableName": "t",
		"items":     []any{map[string]any{"itemName": "a", "labels": map[string]any{"color": "red"}}},
		"byKey":     map[string]any{"key": map[string]any{"itemName": "b"}},
		"Unknown":   1,
	}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("ModelInput = %v, want %v", in, want)
	}
	out := PascalOutput(o, map[string]any{"nextToken": "n", "items": []any{map[string]any{"itemName": "a", "labels": map[string]any{"color": "red"}}}})
	wantOut := map[string]any{"NextToken": "n", "Items": []any{map[string]any{"ItemName": "a", "Labels": map[string]any{"color": "red"}}}}
	if !reflect.DeepEqual(out, wantOut) {
		t.Errorf("PascalOutput = %v, want %v", out, wantOut)
	}
}
