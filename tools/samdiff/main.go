// Command samdiff compares virga's SAM transform (internal/cfn/sam) with
// AWS's own SAM translator, the Python library samtranslator that
// CloudFormation runs for Transform: AWS::Serverless-2016-10-31. For each
// template given (files, or directories searched for .yaml, .yml and
// .json files) it prints what differs between the two outputs: logical
// IDs and types, then each resource's Properties, DependsOn and other
// attributes, and the Outputs.
//
// It is a development tool, run by hand with `make samdiff` where
// samtranslator is installed (pip install aws-sam-translator); the tests
// do not use it. Local CodeUri, ContentUri and DefinitionUri values are
// replaced by S3 URIs before both transforms run, since neither packages
// code here. Hashed logical IDs (deployments, versions, layers) are
// compared without their hash, which cannot be equal: see the package
// documentation of internal/cfn/sam.
package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/virga/virga/internal/cfn/sam"
	"github.com/virga/virga/internal/cfn/template"
)

//go:embed translate.py
var translateScript string

func main() {
	python := flag.String("python", "python3.11", "the Python interpreter that has samtranslator")
	summary := flag.Bool("summary", false, "print one line per template: the number of differences")
	show := flag.String("print", "", "print the transformed template instead of the differences: aws or virga")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: samdiff [-python python3.11] [-summary] [-print aws|virga] TEMPLATE|DIR...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	var files []string
	for _, arg := range flag.Args() {
		found, err := templates(arg)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		files = append(files, found...)
	}
	if *show != "virga" {
		if err := checkTranslator(*python); err != nil {
			fmt.Fprintln(os.Stderr, "samdiff:", err)
			os.Exit(1)
		}
	}
	total := 0
	for _, f := range files {
		if *show != "" {
			if err := printFile(*python, *show, f); err != nil {
				fmt.Printf("== %s: %v\n", f, err)
			}
			continue
		}
		diffs, err := compareFile(*python, f)
		if err != nil {
			fmt.Printf("== %s: %v\n", f, err)
			continue
		}
		total += len(diffs)
		if *summary {
			fmt.Printf("%4d  %s\n", len(diffs), f)
			continue
		}
		fmt.Printf("== %s: %d differences\n", f, len(diffs))
		for _, d := range diffs {
			fmt.Println("  " + d)
		}
	}
	if *show == "" {
		fmt.Printf("%d templates, %d differences\n", len(files), total)
	}
}

// templates lists the template files under path.
func templates(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var out []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch filepath.Ext(p) {
		case ".yaml", ".yml", ".json":
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// printFile prints one template as AWS's translator or virga transforms
// it, as indented JSON.
func printFile(python, which, path string) error {
	tree, err := readTemplate(path)
	if err != nil {
		return err
	}
	var out map[string]any
	switch which {
	case "aws":
		out, err = translate(python, tree)
	case "virga":
		out, _, err = sam.Transform(tree, virgaOptions)
	default:
		return fmt.Errorf("-print takes aws or virga, not %q", which)
	}
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(normaliseJSON(out), "", "  ")
	if err != nil {
		return err
	}
	fmt.Printf("%s\n", b)
	return nil
}

// virgaOptions are the stack the templates are transformed for: the
// region and account the translator's output is compared in.
var virgaOptions = sam.Options{Region: "us-east-1", AccountID: "123456789012", StackName: "sam-app"}

// readTemplate reads and parses a SAM template, with its local URIs
// replaced by S3 URIs.
func readTemplate(path string) (map[string]any, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tmpl, err := template.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	tree := normaliseJSON(tmpl.Tree).(map[string]any)
	if !isSAM(tree) {
		return nil, fmt.Errorf("not a SAM template")
	}
	replaceLocalURIs(tree)
	return tree, nil
}

// compareFile transforms one template both ways and lists the
// differences.
func compareFile(python, path string) ([]string, error) {
	tree, err := readTemplate(path)
	if err != nil {
		return nil, err
	}
	awsOut, awsErr := translate(python, tree)
	virgaOut, _, virgaErr := sam.Transform(normaliseJSON(tree).(map[string]any), virgaOptions)
	switch {
	case awsErr != nil && virgaErr != nil:
		return []string{"both refuse it: AWS: " + awsErr.Error(), "virga: " + virgaErr.Error()}, nil
	case awsErr != nil:
		return []string{"AWS refuses it, virga accepts it: " + awsErr.Error()}, nil
	case virgaErr != nil:
		return []string{"virga refuses it, AWS accepts it: " + virgaErr.Error()}, nil
	}
	return compare(tree, awsOut, normaliseJSON(virgaOut).(map[string]any)), nil
}

// isSAM reports whether the template names the SAM transform.
func isSAM(tree map[string]any) bool {
	switch tr := tree["Transform"].(type) {
	case string:
		return tr == sam.TransformName
	case []any:
		return slices.Contains(tr, any(sam.TransformName))
	}
	return false
}

// replaceLocalURIs puts an S3 URI in place of every local path the SAM
// CLI would package, so that both transforms accept the template.
func replaceLocalURIs(tree map[string]any) {
	fix := func(props map[string]any, key, id string) {
		if s, ok := props[key].(string); ok && !strings.HasPrefix(s, "s3://") {
			props[key] = "s3://samdiff-artifacts/" + id + "/" + filepath.Base(s)
		}
	}
	if g, ok := tree["Globals"].(map[string]any); ok {
		if f, ok := g["Function"].(map[string]any); ok {
			fix(f, "CodeUri", "Globals")
		}
	}
	resources, _ := tree["Resources"].(map[string]any)
	for id, r := range resources {
		r, _ := r.(map[string]any)
		props, _ := r["Properties"].(map[string]any)
		if props == nil {
			continue
		}
		switch r["Type"] {
		case "AWS::Serverless::Function":
			fix(props, "CodeUri", id)
		case "AWS::Serverless::LayerVersion":
			fix(props, "ContentUri", id)
		case "AWS::Serverless::Api", "AWS::Serverless::HttpApi", "AWS::Serverless::StateMachine":
			fix(props, "DefinitionUri", id)
		}
	}
}

// checkTranslator makes sure python can load AWS's translator, so that
// a missing interpreter or library is reported once rather than as a
// difference in every template.
func checkTranslator(python string) error {
	out, err := exec.Command(python, "-c", "import samtranslator").CombinedOutput()
	if err == nil {
		return nil
	}
	if _, ran := err.(*exec.ExitError); !ran {
		return fmt.Errorf("%s cannot be run (%v); name a Python that has AWS's SAM translator with -python (make samdiff SAMDIFF_PYTHON=...)", python, err)
	}
	if msg := strings.TrimSpace(string(out)); msg != "" {
		lines := strings.Split(msg, "\n")
		err = fmt.Errorf("%v: %s", err, lines[len(lines)-1])
	}
	return fmt.Errorf("%s cannot load AWS's SAM translator (%v); install it with %s -m pip install aws-sam-translator, "+
		"or name another interpreter with -python (make samdiff SAMDIFF_PYTHON=...)", python, err, python)
}

// translate runs AWS's translator on the template.
func translate(python string, tree map[string]any) (map[string]any, error) {
	in, err := json.Marshal(map[string]any{"template": tree, "parameters": map[string]any{}})
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(python, "-c", translateScript)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %v: %s", python, err, stderr.String())
	}
	var res struct {
		Template map[string]any `json:"template"`
		Error    string         `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&res); err != nil {
		return nil, fmt.Errorf("reading the translator's output: %v", err)
	}
	if res.Error != "" {
		return nil, fmt.Errorf("%s", res.Error)
	}
	return res.Template, nil
}

// normaliseJSON gives a value the form encoding/json decodes it to, with
// numbers as json.Number, so that the two outputs compare equal when they
// say the same.
func normaliseJSON(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		panic(err)
	}
	return out
}

// hashed is a generated logical ID that ends with a content hash.
var hashed = regexp.MustCompile(`^(.+?)([0-9a-f]{10})$`)

// stripHashes renames the generated resources whose logical ID ends in a
// hash to their ID with "#" in place of the hash, in the Resources and
// wherever a value names them. It also writes the partition of ARNs in
// Fn::Sub the way AWS's translator does for us-east-1 ("arn:aws:" where
// virga writes "arn:${AWS::Partition}:"): both give the same value.
func stripHashes(input, out map[string]any) map[string]any {
	inRes, _ := input["Resources"].(map[string]any)
	res, _ := out["Resources"].(map[string]any)
	renames := map[string]string{}
	for id, r := range res {
		if _, given := inRes[id]; given {
			continue
		}
		typ, _ := r.(map[string]any)["Type"].(string)
		switch typ {
		case "AWS::ApiGateway::Deployment", "AWS::Lambda::Version", "AWS::Lambda::LayerVersion":
		default:
			continue
		}
		if m := hashed.FindStringSubmatch(id); m != nil {
			renames[id] = m[1] + "#"
		}
	}
	// Layers keep their template ID as prefix.
	for id := range inRes {
		for gen := range res {
			if strings.HasPrefix(gen, id) && hashed.MatchString(gen) && len(gen) == len(id)+10 {
				renames[gen] = id + "#"
			}
		}
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			m := map[string]any{}
			for k, x := range v {
				if n, ok := renames[k]; ok {
					k = n
				}
				m[k] = walk(x)
			}
			return m
		case []any:
			l := make([]any, len(v))
			for i, x := range v {
				l[i] = walk(x)
			}
			return l
		case string:
			v = strings.ReplaceAll(v, "arn:${AWS::Partition}:", "arn:aws:")
			if n, ok := renames[v]; ok {
				return n
			}
			if strings.Contains(v, "${") {
				for old, n := range renames {
					v = strings.ReplaceAll(v, "${"+old+"}", "${"+n+"}")
					v = strings.ReplaceAll(v, "${"+old+".", "${"+n+".")
				}
			}
			for old, n := range renames {
				if strings.HasPrefix(v, old+".") {
					return n + v[len(old):]
				}
			}
			return v
		}
		return v
	}
	return walk(out).(map[string]any)
}

// compare lists the differences between AWS's output and virga's.
func compare(input, aws, virga map[string]any) []string {
	aws = stripHashes(input, aws)
	virga = stripHashes(input, virga)
	var d differ
	awsRes, _ := aws["Resources"].(map[string]any)
	virgaRes, _ := virga["Resources"].(map[string]any)
	for _, id := range union(awsRes, virgaRes) {
		a, inA := awsRes[id].(map[string]any)
		v, inV := virgaRes[id].(map[string]any)
		switch {
		case !inV:
			d.add("only in AWS: %s (%v)", id, a["Type"])
			continue
		case !inA:
			d.add("only in virga: %s (%v)", id, v["Type"])
			continue
		}
		if a["Type"] != v["Type"] {
			d.add("%s: Type AWS=%v virga=%v", id, a["Type"], v["Type"])
			continue
		}
		a, v = prune(id, a), prune(id, v)
		d.value(id, a, v)
	}
	for _, section := range []string{"Outputs", "Conditions", "Parameters", "Transform"} {
		d.value(section, aws[section], virga[section])
	}
	return d.lines
}

// prune removes what legitimately differs from a resource: the
// description of a deployment holds its hash.
func prune(id string, r map[string]any) map[string]any {
	r = normaliseJSON(r).(map[string]any)
	props, _ := r["Properties"].(map[string]any)
	if r["Type"] == "AWS::ApiGateway::Deployment" && props != nil {
		delete(props, "Description")
	}
	if dep, ok := r["DependsOn"].([]any); ok {
		sort.Slice(dep, func(i, j int) bool { return fmt.Sprint(dep[i]) < fmt.Sprint(dep[j]) })
	}
	return r
}

// differ collects differences.
type differ struct{ lines []string }

func (d *differ) add(format string, args ...any) {
	d.lines = append(d.lines, fmt.Sprintf(format, args...))
}

// value compares two values at path.
func (d *differ) value(path string, a, v any) {
	switch {
	case a == nil && v == nil:
		return
	case a == nil:
		d.add("%s: only in virga: %s", path, short(v))
		return
	case v == nil:
		d.add("%s: only in AWS: %s", path, short(a))
		return
	}
	am, aIsMap := a.(map[string]any)
	vm, vIsMap := v.(map[string]any)
	if aIsMap && vIsMap {
		for _, k := range union(am, vm) {
			d.value(path+"."+k, am[k], vm[k])
		}
		return
	}
	al, aIsList := a.([]any)
	vl, vIsList := v.([]any)
	if aIsList && vIsList {
		if len(al) != len(vl) || !scalars(al) || !scalars(vl) {
			if len(al) != len(vl) {
				d.add("%s: AWS=%s virga=%s", path, short(a), short(v))
				return
			}
			for i := range al {
				d.value(fmt.Sprintf("%s[%d]", path, i), al[i], vl[i])
			}
			return
		}
		as, vs := sortedText(al), sortedText(vl)
		if !slices.Equal(as, vs) {
			d.add("%s: AWS=%s virga=%s", path, short(a), short(v))
		}
		return
	}
	if fmt.Sprint(a) != fmt.Sprint(v) {
		d.add("%s: AWS=%s virga=%s", path, short(a), short(v))
	}
}

// scalars reports whether a list holds only scalars.
func scalars(l []any) bool {
	for _, x := range l {
		switch x.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}

func sortedText(l []any) []string {
	out := make([]string, len(l))
	for i, x := range l {
		out[i] = fmt.Sprint(x)
	}
	sort.Strings(out)
	return out
}

// short is a value as compact JSON, cut to a readable length.
func short(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// union is the sorted keys of both maps.
func union(a, b map[string]any) []string {
	seen := map[string]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
