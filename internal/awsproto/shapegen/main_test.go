package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/virga/virga/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the generator's output")

// botocoreData is where Debian's python3-botocore installs the models.
const botocoreData = "/usr/lib/python3/dist-packages/botocore/data"

// runMainEnv makes the test binary act as the shapegen command: the
// up-to-date test runs main itself, with a go:generate line's arguments,
// so it cannot drift from what `go generate` does.
const runMainEnv = "SHAPEGEN_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// requireDir requires the botocore models, as testenv.Require does.
func requireDir(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		testenv.Require(t, "the botocore models are not installed (Debian python3-botocore): "+err.Error())
	}
}

// goGenerateLines returns the arguments of each shapegen go:generate line
// in dir/generate.go.
func goGenerateLines(t *testing.T, dir string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "generate.go"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const prefix = "//go:generate go run ../awsproto/shapegen "
	var lines [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), prefix); ok {
			lines = append(lines, strings.Fields(line))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(lines) == 0 {
		t.Fatalf("no %q line in %s/generate.go", prefix, dir)
	}
	return lines
}

// flagValue returns the value of -name in args, and its index.
func flagValue(args []string, name string) (string, int) {
	for i, a := range args {
		a = strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if a == name && i+1 < len(args) {
			return args[i+1], i + 1
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v, i
		}
	}
	return "", -1
}

// TestGeneratedFilesUpToDate runs every shapegen go:generate line under
// internal/, writing into a scratch directory, and
// fails if a committed file differs: a model, overlay or generator change
// needs `go generate`.
func TestGeneratedFilesUpToDate(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	gens, err := filepath.Glob("../../*/generate.go")
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []string
	for _, g := range gens {
		src, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(src, []byte("//go:generate go run ../awsproto/shapegen ")) {
			pkgs = append(pkgs, filepath.Base(filepath.Dir(g)))
		}
	}
	for _, want := range []string{"sts", "dynamodb"} {
		if !slices.Contains(pkgs, want) {
			t.Errorf("internal/%s/generate.go has no shapegen line", want)
		}
	}
	for _, pkg := range pkgs {
		t.Run(pkg, func(t *testing.T) {
			t.Parallel()
			dir, err := filepath.Abs(filepath.Join("..", "..", pkg))
			if err != nil {
				t.Fatal(err)
			}
			for _, args := range goGenerateLines(t, dir) {
				data, _ := flagValue(args, "data")
				if data == "" {
					data = botocoreData
				}
				requireDir(t, data)
				out, i := flagValue(args, "out")
				if i < 0 || strings.Contains(args[i], "=") {
					t.Fatalf("go:generate line without a separate -out value: %v", args)
				}
				scratch := filepath.Join(t.TempDir(), filepath.Base(out))
				args := slices.Clone(args)
				args[i] = scratch
				cmd := exec.Command(exe, args...)
				cmd.Dir = dir // as go generate runs it
				cmd.Env = append(os.Environ(), runMainEnv+"=1")
				if output, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("shapegen %s: %v\n%s", strings.Join(args, " "), err, output)
				}
				regenerated, err := os.ReadFile(scratch)
				if err != nil {
					t.Fatal(err)
				}
				committed, err := os.ReadFile(filepath.Join(dir, out))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(regenerated, committed) {
					t.Errorf("internal/%s/%s is stale: run `go generate ./internal/%s`\n%s", pkg, out, pkg, firstDiff(committed, regenerated))
				}
			}
		})
	}
}

// firstDiff describes the first line where two files differ.
func firstDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n committed:   %q\n regenerated: %q", i+1, w, g)
		}
	}
	return "files differ"
}

func TestLoadOverlay(t *testing.T) {
	t.Parallel()
	base, err := load("testdata/tiny/service-2.json", "")
	if err != nil {
		t.Fatal(err)
	}
	m, err := load("testdata/tiny/service-2.json", "testdata/tiny/overlay.json")
	if err != nil {
		t.Fatal(err)
	}

	// Member order is the model's, not alphabetical; the overlay appends
	// new members in its order and replaces existing ones in place.
	wantBase := []string{"Zeta", "Bucket", "Name", "Meta", "MaxItems", "Params", "Config", "Alpha"}
	if got := base.Shapes["PutThingRequest"].memberOrder; !slices.Equal(got, wantBase) {
		t.Errorf("model order = %v, want %v", got, wantBase)
	}
	put := m.Shapes["PutThingRequest"]
	if want := append(slices.Clone(wantBase), "NewMember"); !slices.Equal(put.memberOrder, want) {
		t.Errorf("merged order = %v, want %v", put.memberOrder, want)
	}
	if got := put.Members["Alpha"].Shape; got != "Integer" {
		t.Errorf("overlay did not replace Alpha: shape %s", got)
	}
	if got := put.Members["Bucket"]; got.Location != "uri" || got.LocationName != "Bucket" {
		t.Errorf("overlay lost a model member: %+v", got)
	}
	if put.Payload != "Config" {
		t.Errorf("overlay lost the payload trait: %q", put.Payload)
	}
	req := slices.Clone(put.Required)
	slices.Sort(req)
	if want := []string{"Bucket", "Name", "NewMember"}; !slices.Equal(req, want) {
		t.Errorf("required = %v, want %v", req, want)
	}

	// Enum values are appended.
	if got, want := m.Shapes["Color"].Enum, []string{"red", "green", "blue"}; !slices.Equal(got, want) {
		t.Errorf("Color enum = %v, want %v", got, want)
	}
	// A new shape is added whole, in its own member order.
	ns := m.Shapes["NewShape"]
	if ns == nil || !slices.Equal(ns.memberOrder, []string{"B", "A"}) || !slices.Equal(ns.Required, []string{"B"}) {
		t.Errorf("NewShape = %+v", ns)
	}
	// Operations are added; the model's stay.
	if m.Operations["NewOp"] == nil || m.Operations["NewOp"].Input.Shape != "NewOpInput" || m.Operations["PutThing"] == nil {
		t.Errorf("operations = %v", slices.Sorted(maps.Keys(m.Operations)))
	}
	// An overlay names a restXml output's root element.
	if got := m.Shapes["PutThingOutput"].XMLRoot; got != "ThingResult" {
		t.Errorf("overlay xmlRoot = %q", got)
	}
	// The model without the overlay is untouched by it.
	if base.Shapes["NewShape"] != nil || base.Operations["NewOp"] != nil || base.Shapes["PutThingRequest"].Members["Alpha"].Shape != "String" {
		t.Error("load without an overlay merged one")
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"shapes": {"X": {"type": "structure", "members": [1]}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := load(filepath.Join(dir, "missing.json"), ""); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing model: %v", err)
	}
	if _, err := load("testdata/tiny/service-2.json", filepath.Join(dir, "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing overlay: %v", err)
	}
	if _, err := load("testdata/tiny/service-2.json", bad); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("malformed overlay: %v", err)
	}
}

// tinyGen generates the tiny model with its overlay.
func tinyGen(t *testing.T, enums bool, names map[string]string, ops, extra []string) ([]byte, error) {
	t.Helper()
	m, err := load("testdata/tiny/service-2.json", "testdata/tiny/overlay.json")
	if err != nil {
		t.Fatal(err)
	}
	if names == nil {
		names = map[string]string{}
	}
	g := &gen{m: m, names: names, enums: enums}
	return g.generate("tiny", "tiny 2020-01-01", ops, extra, true)
}

// TestGenerateGolden compares the tiny model's output with
// testdata/tiny.golden (go test -run TestGenerateGolden -update rewrites it).
func TestGenerateGolden(t *testing.T) {
	t.Parallel()
	src, err := tinyGen(t, true, nil, []string{"GetStream", "NewOp", "PutThing"}, []string{"Detail"})
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/tiny.golden"
	if *update {
		if err := os.WriteFile(golden, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src, want) {
		t.Errorf("output differs from %s (rerun with -update if intended)\n%s", golden, firstDiff(want, src))
	}
	typeCheck(t, "tiny", src)
}

// TestGenerateTags pins the tag of each trait, independent of the golden
// file's layout.
func TestGenerateTags(t *testing.T) {
	t.Parallel()
	src, err := tinyGen(t, true, nil, []string{"GetStream", "NewOp", "PutThing"}, []string{"Detail"})
	if err != nil {
		t.Fatal(err)
	}
	fields := structFields(t, src)
	tests := []struct{ field, typ, tag string }{
		{"PutThingRequest.Zeta", "*string", ``},
		{"PutThingRequest.Bucket", "*string", `aws:"loc=uri,locname=Bucket,required,min=3,max=63" pattern:"^[a-z0-9.\\-]+$"`},
		// A string's min=0 is left out; the Java escape is kept for shape to translate.
		{"PutThingRequest.Name", "*string", `aws:"loc=header,locname=x-amz-name,required,max=10" pattern:"[\\u0020-\\u007E]*"`},
		{"PutThingRequest.Meta", "map[string]string", `aws:"loc=headers,locname=x-amz-meta-"`},
		{"PutThingRequest.MaxItems", "*int32", `aws:"loc=query,locname=max-items,min=0,max=1000"`},
		{"PutThingRequest.Params", "map[string]string", `aws:"loc=querymap"`},
		// The payload keeps its member name; its locationName is the XML element's.
		{"PutThingRequest.Config", "*Config", `aws:"loc=payload,xmlns=http://example.com/doc/"`},
		{"PutThingRequest.Alpha", "*int32", ``},
		{"PutThingRequest.NewMember", "*NewShape", `aws:"required"`},
		// The overlay's xmlRoot names the output's XML root element.
		{"PutThingOutput._", "struct{}", `aws:"name=ThingResult"`},
		{"PutThingOutput.Status", "*int32", `aws:"loc=status"`},
		{"PutThingOutput.Created", "*time.Time", `aws:"name=created,xmlname=createdAt"`},
		{"PutThingOutput.Expires", "*time.Time", `aws:"loc=header,locname=Expires,ts=rfc822"`},
		{"PutThingOutput.Epoch", "*time.Time", `aws:"ts=unixTimestamp"`},
		{"PutThingOutput.Items", "[]string", `aws:"min=1,member=Item"`},
		{"PutThingOutput.Tags", "map[string]string", `aws:"max=50,flat,key=TagKey,value=TagValue"`},
		{"PutThingOutput.Id", "*string", `aws:"xmlname=xsi:id,attr"`},
		{"PutThingOutput.Owner", "*Owner", ``},
		{"PutThingOutput.Color", "*Color", ``},
		{"PutThingOutput.Colors", "[]Color", ``},
		{"PutThingOutput.Doc", "json.RawMessage", ``},
		{"PutThingOutput.Size", "*int64", ``},
		{"PutThingOutput.Ratio", "*float32", ``},
		{"PutThingOutput.Score", "*float64", ``},
		{"PutThingOutput.Enabled", "*bool", ``},
		{"PutThingOutput.Data", "[]byte", ``},
		{"PutThingOutput.Plain", "[]string", ``},
		{"PutThingOutput.Flat", "[]int64", `aws:"flat"`},
		{"Config.Self", "*Config", ``},
		{"Config.Children", "[]Config", ``},
		{"Config.ByName", "map[string][]Config", ``},
		{"GetStreamRequest.Key", "*string", `aws:"loc=uri,locname=Key,required"`},
		{"GetStreamOutput.Body", "io.ReadCloser", `aws:"loc=payload"`},
		{"GetStreamOutput.Length", "*int64", `aws:"loc=header,locname=Content-Length"`},
		{"NewShape.B", "*string", `aws:"required"`},
		{"NewShape.A", "*Color", ``},
		{"NewOpInput.Thing", "*NewShape", ``},
		{"Owner.ID", "*string", ``},
		{"Owner.DisplayName", "*string", ``},
		{"Detail.Reason", "*string", ``},
		{"Detail.Code", "*Color", ``},
	}
	for _, tt := range tests {
		got, ok := fields[tt.field]
		if !ok {
			t.Errorf("no field %s", tt.field)
			continue
		}
		delete(fields, tt.field)
		if got.typ != tt.typ || got.tag != tt.tag {
			t.Errorf("%s = %s `%s`, want %s `%s`", tt.field, got.typ, got.tag, tt.typ, tt.tag)
		}
		// Every tag is a valid struct tag.
		if tt.tag != "" && reflect.StructTag(tt.tag).Get("aws") == "" && reflect.StructTag(tt.tag).Get("pattern") == "" {
			t.Errorf("%s: tag %q does not parse", tt.field, tt.tag)
		}
	}
	for f := range fields {
		t.Errorf("unexpected field %s", f)
	}
	// Only the reachable shapes are written, and enums get Values.
	for _, want := range []string{
		"type Color string",
		`func (Color) Values() []string {` + "\n\treturn []string{\"red\", \"green\", \"blue\"}",
		"// PutThingRequest is the PutThingRequest shape of AWS's model.",
		"// Code generated by shapegen from botocore's tiny 2020-01-01 model and its overlay. DO NOT EDIT.",
	} {
		if !bytes.Contains(src, []byte(want)) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, absent := range []string{"UnusedInput", "UnusedShape", "type Document", "type String", "type StreamingBlob"} {
		if bytes.Contains(src, []byte(absent)) {
			t.Errorf("output has %q", absent)
		}
	}
}

type fieldInfo struct{ typ, tag string }

// structFields parses generated source and returns Struct.Field → type and
// raw tag.
func structFields(t *testing.T, src []byte) map[string]fieldInfo {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "gen.go", src, 0)
	if err != nil {
		t.Fatalf("generated code does not parse: %v", err)
	}
	out := map[string]fieldInfo{}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return false
		}
		for _, fd := range st.Fields.List {
			tag := ""
			if fd.Tag != nil {
				tag = strings.Trim(fd.Tag.Value, "`")
			}
			out[ts.Name.Name+"."+fd.Names[0].Name] = fieldInfo{types.ExprString(fd.Type), tag}
		}
		return false
	})
	return out
}

// typeCheck type-checks generated source as package pkg.
func typeCheck(t *testing.T, pkg string, src []byte) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, pkg+".go", src, 0)
	if err != nil {
		t.Fatalf("generated code does not parse: %v", err)
	}
	var errs []error
	conf := types.Config{
		Importer: importer.ForCompiler(fset, "source", nil),
		Error:    func(err error) { errs = append(errs, err) },
	}
	conf.Check(pkg, fset, []*ast.File{f}, nil) //nolint:errcheck // the errors are collected above
	if len(errs) > 0 {
		t.Errorf("generated code does not compile: %v", errors.Join(errs...))
	}
}

func TestGenerateOptions(t *testing.T) {
	t.Parallel()
	// -no-enums: enum members are plain strings and no enum type is written.
	src, err := tinyGen(t, false, nil, []string{"PutThing"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	fields := structFields(t, src)
	if got := fields["PutThingOutput.Color"].typ; got != "*string" {
		t.Errorf("-no-enums: Color is %s", got)
	}
	if got := fields["PutThingOutput.Colors"].typ; got != "[]string" {
		t.Errorf("-no-enums: Colors is %s", got)
	}
	if bytes.Contains(src, []byte("Values()")) {
		t.Error("-no-enums wrote an enum type")
	}
	typeCheck(t, "tiny", src)

	// -input-enums: an enum only outputs reach stays a plain string; one
	// an input reaches is typed, in the outputs too.
	m, err := load("testdata/tiny/service-2.json", "testdata/tiny/overlay.json")
	if err != nil {
		t.Fatal(err)
	}
	g := &gen{m: m, names: map[string]string{}, enums: true, inputEnums: true}
	src, err = g.generate("tiny", "tiny 2020-01-01", []string{"GetStream"}, []string{"Detail"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := structFields(t, src)["Detail.Code"].typ; got != "*string" {
		t.Errorf("-input-enums: output-only Detail.Code is %s", got)
	}
	if bytes.Contains(src, []byte("Values()")) {
		t.Error("-input-enums wrote an enum type only outputs reach")
	}
	typeCheck(t, "tiny", src)
	src, err = g.generate("tiny", "tiny 2020-01-01", []string{"NewOp"}, []string{"Detail"}, true)
	if err != nil {
		t.Fatal(err)
	}
	fields = structFields(t, src)
	if got := fields["NewShape.A"].typ; got != "*Color" {
		t.Errorf("-input-enums: input NewShape.A is %s", got)
	}
	if got := fields["Detail.Code"].typ; got != "*Color" {
		t.Errorf("-input-enums: Detail.Code, whose enum an input reaches, is %s", got)
	}
	typeCheck(t, "tiny", src)

	// -rename: a shape's Go type name changes everywhere it is used.
	src, err = tinyGen(t, true, map[string]string{"Owner": "ThingOwner", "Color": "Hue"}, []string{"PutThing"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	fields = structFields(t, src)
	if _, ok := fields["ThingOwner.ID"]; !ok {
		t.Error("-rename Owner=ThingOwner: no type ThingOwner")
	}
	if got := fields["PutThingOutput.Colors"].typ; got != "[]Hue" {
		t.Errorf("-rename Color=Hue: Colors is %s", got)
	}
	typeCheck(t, "tiny", src)

	// Only the named operations are walked; no time, io or json import
	// when nothing uses them.
	src, err = tinyGen(t, true, nil, []string{"NewOp"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(src, []byte("PutThing")) || bytes.Contains(src, []byte("import")) {
		t.Errorf("-ops NewOp wrote more than NewOp's shapes:\n%s", src)
	}
	typeCheck(t, "tiny", src)
}

// TestGenerateSkip proves -skip leaves out shapes the package declares
// already (from another model) while members still refer to them.
func TestGenerateSkip(t *testing.T) {
	t.Parallel()
	m, err := load("testdata/tiny/service-2.json", "")
	if err != nil {
		t.Fatal(err)
	}
	g := &gen{m: m, names: map[string]string{}, enums: true, skip: map[string]bool{"Owner": true, "Color": true}}
	src, err := g.generate("tiny", "tiny", []string{"PutThing"}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	fields := structFields(t, src)
	if _, ok := fields["Owner.ID"]; ok {
		t.Error("skipped structure Owner was written")
	}
	if bytes.Contains(src, []byte("type Color")) {
		t.Error("skipped enum Color was written")
	}
	if fields["PutThingOutput.Owner"].typ != "*Owner" || fields["PutThingOutput.Colors"].typ != "[]Color" {
		t.Errorf("members no longer refer to the skipped shapes: %+v %+v", fields["PutThingOutput.Owner"], fields["PutThingOutput.Colors"])
	}
	if _, ok := fields["Config.Self"]; !ok {
		t.Error("a shape that was not skipped is missing")
	}
}

func TestGenerateErrors(t *testing.T) {
	t.Parallel()
	if _, err := tinyGen(t, true, nil, []string{"NoSuchOp"}, nil); err == nil || !strings.Contains(err.Error(), "no operation NoSuchOp") {
		t.Errorf("unknown operation: %v", err)
	}
	if _, err := tinyGen(t, true, nil, nil, []string{"NoSuchShape"}); err == nil || !strings.Contains(err.Error(), "no shape NoSuchShape") {
		t.Errorf("unknown extra shape: %v", err)
	}
	m, err := load("testdata/tiny/service-2.json", "")
	if err != nil {
		t.Fatal(err)
	}
	m.Shapes["BucketName"].Pattern = "a`b"
	g := &gen{m: m, names: map[string]string{}, enums: true}
	if _, err := g.generate("tiny", "tiny", []string{"PutThing"}, nil, false); err == nil || !strings.Contains(err.Error(), "backquote") {
		t.Errorf("pattern with a backquote: %v", err)
	}
}

// TestGenerateImportsOnlyWhatIsUsed proves an import is added for a type
// the output uses, not for text that merely contains "json.", "io." or
// "time.", such as the enum values "audio.mp3", "schema.json.v1" and
// "datetime.iso8601".
func TestGenerateImportsOnlyWhatIsUsed(t *testing.T) {
	t.Parallel()
	m, err := load("testdata/imports/service-2.json", "")
	if err != nil {
		t.Fatal(err)
	}
	g := &gen{m: m, names: map[string]string{}, enums: true}
	src, err := g.generate("imports", "imports 2020-01-01", []string{"Transcode"}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	typeCheck(t, "imports", src)
}

// TestLoadOptional: an overlay's optional list takes members off an
// existing shape's required list (CloudWatch Logs' logGroupName, which
// logGroupIdentifier may now replace), and leaves the others.
func TestLoadOptional(t *testing.T) {
	t.Parallel()
	overlay := filepath.Join(t.TempDir(), "overlay.json")
	if err := os.WriteFile(overlay, []byte(`{"shapes": {"PutThingRequest": {"type": "structure", "optional": ["Name"]}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := load("testdata/tiny/service-2.json", overlay)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Shapes["PutThingRequest"].Required; !slices.Equal(got, []string{"Bucket"}) {
		t.Errorf("required = %v, want [Bucket]", got)
	}
}
