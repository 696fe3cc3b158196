package sam

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/virga/virga/internal/cfn/template"
)

// testOptions stand in for the deploy command: local code is "packaged"
// into a marker, S3 URIs are left to the transform.
var testOptions = Options{
	Region:    "us-east-1",
	AccountID: "123456789012",
	StackName: "sam-app",
	Code: func(id string, uri any) (map[string]any, error) {
		s, ok := uri.(string)
		if !ok || strings.HasPrefix(s, "s3://") {
			return nil, nil
		}
		return map[string]any{"ZipFile": "packaged " + s}, nil
	},
	LayerContent: func(id string, uri any) (map[string]any, error) {
		s, ok := uri.(string)
		if !ok || strings.HasPrefix(s, "s3://") {
			return nil, nil
		}
		return map[string]any{"S3Bucket": "packaged", "S3Key": id + "/" + s}, nil
	},
}

// testPseudo are the pseudo parameters the transformed templates are
// evaluated with.
var testPseudo = template.Pseudo{
	Region:    "us-east-1",
	AccountID: "123456789012",
	StackName: "sam-app",
	StackID:   "arn:aws:cloudformation:us-east-1:123456789012:stack/sam-app/1",
}

// result is a transformed template, checked and ready to inspect.
type result struct {
	tree     map[string]any
	warnings []string
	tmpl     *template.Template
	values   *template.Values
	conds    map[string]bool
	graph    *template.Graph
}

// readTestdata reads a file under testdata/.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// transformBody parses a SAM template, transforms it and checks that the
// result is a valid CloudFormation template: it survives JSON, parses,
// validates, resolves its parameters and conditions, and has a
// dependency graph.
func transformBody(t *testing.T, body []byte) *result {
	t.Helper()
	in, err := template.Parse(body)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if err := in.Validate(); err != nil {
		t.Fatalf("input Validate: %v", err)
	}
	tree, warnings, err := Transform(in.Tree, testOptions)
	if err != nil {
		t.Fatalf("Transform: %v", err)
	}
	js, err := json.Marshal(tree)
	if err != nil {
		t.Fatalf("the output is not JSON: %v", err)
	}
	out, err := template.Parse(js)
	if err != nil {
		t.Fatalf("output Parse: %v\n%s", err, js)
	}
	if err := out.Validate(); err != nil {
		t.Fatalf("output Validate: %v\n%s", err, indent(tree))
	}
	if _, err := template.FromTree(tree); err != nil {
		t.Fatalf("FromTree: %v", err)
	}
	values, err := out.ResolveParameters(nil, testPseudo)
	if err != nil {
		t.Fatalf("ResolveParameters: %v", err)
	}
	conds, err := out.EvalConditions(values)
	if err != nil {
		t.Fatalf("EvalConditions: %v", err)
	}
	g, err := out.Graph(conds)
	if err != nil {
		t.Fatalf("Graph: %v", err)
	}
	return &result{tree: tree, warnings: warnings, tmpl: out, values: values, conds: conds, graph: g}
}

// indent renders a tree for failure messages.
func indent(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// hashSuffix matches the digest SAM appends to some logical IDs.
var hashSuffix = regexp.MustCompile(`^[0-9a-f]{10}$`)

// resources returns the transformed Resources section.
func (r *result) resources() map[string]any {
	return r.tree["Resources"].(map[string]any)
}

// find returns the one logical ID that is prefix followed by a digest.
func (r *result) find(t *testing.T, prefix string) string {
	t.Helper()
	var found []string
	for id := range r.resources() {
		if strings.HasPrefix(id, prefix) && hashSuffix.MatchString(id[len(prefix):]) {
			found = append(found, id)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one resource %s<hash>, found %v", prefix, found)
	}
	return found[0]
}

// wantResources checks the exact set of resources and their types; an
// ID ending in "*" stands for that prefix followed by a digest.
func (r *result) wantResources(t *testing.T, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for id, v := range r.resources() {
		got[id], _ = v.(map[string]any)["Type"].(string)
	}
	norm := map[string]string{}
	for id, typ := range want {
		if p, ok := strings.CutSuffix(id, "*"); ok {
			id = r.find(t, p)
		}
		norm[id] = typ
	}
	if !reflect.DeepEqual(got, norm) {
		var missing, extra []string
		for id, typ := range norm {
			if got[id] != typ {
				missing = append(missing, id+" "+typ)
			}
		}
		for id, typ := range got {
			if norm[id] != typ {
				extra = append(extra, id+" "+typ)
			}
		}
		slices.Sort(missing)
		slices.Sort(extra)
		t.Fatalf("resources differ\nmissing: %v\nunexpected: %v", missing, extra)
	}
}

// resource returns a resource, checking its type.
func (r *result) resource(t *testing.T, id, typ string) map[string]any {
	t.Helper()
	res, ok := r.resources()[id].(map[string]any)
	if !ok {
		t.Fatalf("no resource %s", id)
	}
	if res["Type"] != typ {
		t.Fatalf("resource %s is a %v, want %s", id, res["Type"], typ)
	}
	return res
}

// props returns a resource's Properties, checking its type.
func (r *result) props(t *testing.T, id, typ string) map[string]any {
	t.Helper()
	p, _ := r.resource(t, id, typ)["Properties"].(map[string]any)
	return p
}

// dependsOn checks that resource a depends directly on each of bs, by
// DependsOn or by reference.
func (r *result) dependsOn(t *testing.T, a string, bs ...string) {
	t.Helper()
	deps := r.graph.DependsOn(a)
	for _, b := range bs {
		if !slices.Contains(deps, b) {
			t.Errorf("%s does not depend on %s (it depends on %v)", a, b, deps)
		}
	}
}

// resolver stands in for the engine when outputs are evaluated: a
// resource's Ref is phys-ID unless ids says otherwise, and an attribute
// is ID.ATTRIBUTE.
type resolver struct{ ids map[string]string }

func (s resolver) Ref(id string) (string, error) {
	if v, ok := s.ids[id]; ok {
		return v, nil
	}
	return "phys-" + id, nil
}

func (s resolver) GetAtt(id, attr string) (any, error) { return id + "." + attr, nil }

func (s resolver) ImportValue(name string) (string, error) { return "import-" + name, nil }

// output evaluates an output of the transformed template.
func (r *result) output(t *testing.T, name string, ids map[string]string) any {
	t.Helper()
	o, ok := r.tmpl.Outputs[name]
	if !ok {
		t.Fatalf("no output %s", name)
	}
	v, err := template.Eval(o.Value, &template.EvalContext{
		Template: r.tmpl, Values: r.values, Conditions: r.conds, Resolver: resolver{ids},
	})
	if err != nil {
		t.Fatalf("output %s: %v", name, err)
	}
	return v
}

// get follows a path of map keys and list indexes into a tree; it
// returns nil when the path does not exist.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// want compares a value with what is expected, numbers compared by text.
func want(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(normalize(got), normalize(want)) {
		t.Errorf("%s:\n got: %s\nwant: %s", what, indent(got), indent(want))
	}
}

// normalize makes json.Number and int compare equal.
func normalize(v any) any {
	switch v := v.(type) {
	case json.Number:
		return string(v)
	case int:
		return strconv.Itoa(v)
	case map[string]any:
		m := map[string]any{}
		for k, e := range v {
			m[k] = normalize(e)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = normalize(e)
		}
		return l
	}
	return v
}

// wantWarning checks that a warning mentions each of the words.
func (r *result) wantWarning(t *testing.T, words ...string) {
	t.Helper()
	for _, w := range r.warnings {
		all := true
		for _, word := range words {
			all = all && strings.Contains(w, word)
		}
		if all {
			return
		}
	}
	t.Errorf("no warning mentions %q; warnings: %q", words, r.warnings)
}
