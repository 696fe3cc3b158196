package cloudformation

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/virga/virga/internal/s3"
)

// snippetObjects is an S3 of snippets, by bucket/key.
type snippetObjects map[string]string

func (o snippetObjects) Object(_ context.Context, bucket, key, _ string) (io.ReadCloser, int64, error) {
	body, ok := o[bucket+"/"+key]
	if !ok {
		return nil, 0, s3.ErrNoSuchKey
	}
	return io.NopCloser(strings.NewReader(body)), int64(len(body)), nil
}

func TestExpandIncludes(t *testing.T) {
	s := &Service{d: Deps{Objects: snippetObjects{
		"b/props.json": `{"B": 2, "C": [3]}`,
		"b/value.yaml": "x: !Ref P\n",
		"b/top.yaml":   "Outputs:\n  O:\n    Value: 1\n",
	}}}
	tree := map[string]any{
		"Transform": []any{"AWS::Serverless-2016-10-31", map[string]any{"Name": "AWS::Include", "Parameters": map[string]any{"Location": "s3://b/top.yaml"}}},
		"Resources": map[string]any{
			"R": map[string]any{"Properties": map[string]any{"A": 1,
				"Fn::Transform": map[string]any{"Name": "AWS::Include", "Parameters": map[string]any{"Location": "https://b.s3.amazonaws.com/props.json"}}}},
			"S": map[string]any{"Properties": map[string]any{"List": []any{
				map[string]any{"Fn::Transform": map[string]any{"Name": "AWS::Include", "Parameters": map[string]any{"Location": "s3://b/value.yaml"}}}}}},
			"T": map[string]any{"Properties": map[string]any{"Fn::Transform": map[string]any{"Name": "Other::Macro"}}},
		},
	}
	out, found, err := s.expandIncludes(context.Background(), tree)
	if err != nil || !found {
		t.Fatal(found, err)
	}
	got, _ := json.Marshal(out)
	want := `{"Outputs":{"O":{"Value":1}},"Resources":{"R":{"Properties":{"A":1,"B":2,"C":[3]}},"S":{"Properties":{"List":[{"x":{"Ref":"P"}}]}},` +
		`"T":{"Properties":{"Fn::Transform":{"Name":"Other::Macro"}}}},"Transform":"AWS::Serverless-2016-10-31"}`
	if string(got) != want {
		t.Errorf("expanded\n got %s\nwant %s", got, want)
	}
	if _, found, err := s.expandIncludes(context.Background(), map[string]any{"Resources": map[string]any{}}); found || err != nil {
		t.Errorf("no includes: %v %v", found, err)
	}
	_, _, err = s.expandIncludes(context.Background(), map[string]any{"Resources": map[string]any{"R": map[string]any{"A": 1,
		"Fn::Transform": map[string]any{"Name": "AWS::Include", "Parameters": map[string]any{"Location": "s3://b/missing"}}}}})
	if err == nil || !strings.HasPrefix(err.Error(), "ValidationError: Transform AWS::Include failed with: ") {
		t.Errorf("missing object: %v", err)
	}
}
