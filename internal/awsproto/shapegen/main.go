package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// model is the part of a botocore service-2.json shapegen reads.
type model struct {
	Metadata   map[string]any        `json:"metadata"`
	Operations map[string]*operation `json:"operations"`
	Shapes     map[string]*shapeDef  `json:"shapes"`
}

type operation struct {
	Input  *ref `json:"input"`
	Output *ref `json:"output"`
}

type ref struct {
	Shape           string        `json:"shape"`
	Location        string        `json:"location"`
	LocationName    string        `json:"locationName"`
	TimestampFormat string        `json:"timestampFormat"`
	Flattened       bool          `json:"flattened"`
	XMLAttribute    bool          `json:"xmlAttribute"`
	XMLNamespace    *xmlNamespace `json:"xmlNamespace"`
	Streaming       bool          `json:"streaming"`
}

// xmlNamespace is a model's XML namespace: a member's default namespace
// (uri only) or, on a structure, the prefix its attributes use (S3's
// Grantee writes xsi:type).
type xmlNamespace struct {
	Prefix string `json:"prefix"`
	URI    string `json:"uri"`
}

type shapeDef struct {
	Type            string          `json:"type"`
	Members         map[string]*ref `json:"members"`
	Required        []string        `json:"required"`
	Payload         string          `json:"payload"`
	Member          *ref            `json:"member"`
	Key             *ref            `json:"key"`
	Value           *ref            `json:"value"`
	Min             *float64        `json:"min"`
	Max             *float64        `json:"max"`
	Pattern         string          `json:"pattern"`
	Enum            []string        `json:"enum"`
	TimestampFormat string          `json:"timestampFormat"`
	Flattened       bool            `json:"flattened"`
	Streaming       bool            `json:"streaming"`
	Document        bool            `json:"document"`
	Exception       bool            `json:"exception"`
	// Optional, in an overlay only, lists members the model requires
	// that AWS has since made optional.
	Optional []string `json:"optional"`
	// LocationName names the shape's members in XML and awsQuery where a
	// member's own reference does not (SQS's TagMap travels as "Tag").
	LocationName string `json:"locationName"`
	// XMLRoot, in an overlay only, names the root element of a restXml
	// output document (S3's ListObjectsV2Output is ListBucketResult),
	// which botocore's models leave out.
	XMLRoot string `json:"xmlRoot"`
	// Nullable, in an overlay only, marks a string shape whose value in a
	// map or list can be null: it is generated as *string there, and a
	// nil entry is written as null (API Gateway answers a template given
	// as "" with null).
	Nullable bool `json:"nullable"`
	// XMLNamespace, on a structure, declares the namespace prefix its
	// attribute members are named with.
	XMLNamespace *xmlNamespace `json:"xmlNamespace"`

	// memberOrder keeps the model's member order, which encoders follow.
	memberOrder []string
}

func main() {
	var (
		service  = flag.String("service", "", "botocore service name, e.g. dynamodb")
		version  = flag.String("version", "", "API version, e.g. 2012-08-10")
		dataDir  = flag.String("data", "/usr/lib/python3/dist-packages/botocore/data", "botocore data directory")
		pkg      = flag.String("package", "", "Go package name of the output")
		out      = flag.String("out", "", "output file")
		overlay  = flag.String("overlay", "", "JSON file of shapes and members to merge into the model")
		opsFlag  = flag.String("ops", "all", "comma-separated operations to generate, or all")
		extra    = flag.String("extra", "", "comma-separated additional shapes (error details)")
		rename   = flag.String("rename", "", "comma-separated Shape=GoName renames")
		skipEnum = flag.Bool("no-enums", false, "generate enum members as plain strings")
		inEnums  = flag.Bool("input-enums", false, "type only the enums an operation's input reaches; output-only enums stay plain strings")
		skip     = flag.String("skip", "", "comma-separated shapes the package already declares (from another model)")
	)
	flag.Parse()
	if *service == "" || *version == "" || *pkg == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	path := filepath.Join(*dataDir, *service, *version, "service-2.json")
	m, err := load(path, *overlay)
	if err != nil {
		fmt.Fprintln(os.Stderr, "shapegen:", err)
		os.Exit(1)
	}
	g := &gen{m: m, names: map[string]string{}, enums: !*skipEnum, inputEnums: *inEnums}
	for _, r := range splitList(*rename) {
		k, v, _ := strings.Cut(r, "=")
		g.names[k] = v
	}
	var ops []string
	if *opsFlag == "all" {
		for name := range m.Operations {
			ops = append(ops, name)
		}
	} else {
		ops = splitList(*opsFlag)
	}
	sort.Strings(ops)
	g.skip = map[string]bool{}
	for _, name := range splitList(*skip) {
		g.skip[name] = true
	}
	src, err := g.generate(*pkg, fmt.Sprintf("%s %s", *service, *version), ops, splitList(*extra), *overlay != "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "shapegen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "shapegen:", err)
		os.Exit(1)
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// load reads the model and merges the overlay into it: an overlay shape
// that exists gains the overlay's members (appended in the overlay's
// order), required list and enum values, loses the required members its
// optional list names, and takes the pattern, min and max the overlay
// gives; a new shape is added whole.
func load(path, overlayPath string) (*model, error) {
	m, err := readModel(path)
	if err != nil {
		return nil, err
	}
	if overlayPath == "" {
		return m, nil
	}
	o, err := readModel(overlayPath)
	if err != nil {
		return nil, err
	}
	for name, os := range o.Shapes {
		cur, ok := m.Shapes[name]
		if !ok {
			m.Shapes[name] = os
			continue
		}
		for _, mn := range os.memberOrder {
			if _, had := cur.Members[mn]; !had {
				cur.memberOrder = append(cur.memberOrder, mn)
			}
			cur.Members[mn] = os.Members[mn]
		}
		cur.Required = append(cur.Required, os.Required...)
		cur.Required = slices.DeleteFunc(cur.Required, func(r string) bool { return slices.Contains(os.Optional, r) })
		cur.Enum = append(cur.Enum, os.Enum...)
		// A constraint the overlay restates replaces the model's (a
		// pattern Go's regular expressions cannot express, say).
		if os.Pattern != "" {
			cur.Pattern = os.Pattern
		}
		if os.Min != nil {
			cur.Min = os.Min
		}
		if os.Max != nil {
			cur.Max = os.Max
		}
		if os.XMLRoot != "" {
			cur.XMLRoot = os.XMLRoot
		}
	}
	for name, op := range o.Operations {
		m.Operations[name] = op
	}
	return m, nil
}

func readModel(path string) (*model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// encoding/json forgets map order; read the member order again.
	var raw struct {
		Shapes map[string]struct {
			Members json.RawMessage `json:"members"`
		} `json:"shapes"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	for name, s := range raw.Shapes {
		if len(s.Members) == 0 {
			continue
		}
		order, err := objectKeys(s.Members)
		if err != nil {
			return nil, fmt.Errorf("%s: shape %s: %w", path, name, err)
		}
		m.Shapes[name].memberOrder = order
	}
	if m.Operations == nil {
		m.Operations = map[string]*operation{}
	}
	return &m, nil
}

func objectKeys(obj json.RawMessage) ([]string, error) {
	d := json.NewDecoder(bytes.NewReader(obj))
	if _, err := d.Token(); err != nil {
		return nil, err
	}
	var keys []string
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

type gen struct {
	m     *model
	names map[string]string // shape → Go type name
	enums bool
	// inputEnums types only the enums reachable from an operation's
	// input, where the request's validation checks them: a service
	// whose outputs carry values newer than the model's keeps writing
	// them as plain strings, while its inputs are checked as AWS checks
	// them. An enum shape both reach is typed in both.
	inputEnums bool
	// walkingOutput is set while walking from an operation's output.
	walkingOutput bool
	// skip are shapes not to write: the package declares them already.
	skip map[string]bool
	// imports are the packages the generated types use.
	imports map[string]bool
	// structs and enumTypes are the shapes to write, found by walking
	// from the operations.
	structs   map[string]bool
	enumTypes map[string]bool
	// typed are the enum shapes whose members are typed, enumTypes
	// before the skipped shapes leave it.
	typed map[string]bool
}

// xmlDocuments reports whether the model's protocol carries members in XML
// documents and awsQuery parameters, where locationName names them.
func (g *gen) xmlDocuments() bool {
	switch g.m.Metadata["protocol"] {
	case "query", "rest-xml", "ec2":
		return true
	}
	return false
}

func (g *gen) goName(shape string) string {
	if n, ok := g.names[shape]; ok {
		return n
	}
	r := []rune(shape)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

func (g *gen) generate(pkg, source string, ops, extra []string, overlaid bool) ([]byte, error) {
	g.structs, g.enumTypes, g.imports = map[string]bool{}, map[string]bool{}, map[string]bool{}
	// Inputs are walked first: with -input-enums a structure both reach
	// is then walked with its enums typed.
	for _, output := range []bool{false, true} {
		g.walkingOutput = output
		for _, name := range ops {
			op, ok := g.m.Operations[name]
			if !ok {
				return nil, fmt.Errorf("no operation %s in the model", name)
			}
			r := op.Input
			if output {
				r = op.Output
			}
			if r != nil {
				if err := g.walk(r.Shape); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, s := range extra {
		if err := g.walk(s); err != nil {
			return nil, err
		}
	}
	g.walkingOutput = false
	g.typed = maps.Clone(g.enumTypes)
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by shapegen from botocore's %s model", source)
	if overlaid {
		b.WriteString(" and its overlay")
	}
	b.WriteString(". DO NOT EDIT.\n\n")
	fmt.Fprintf(&b, "package %s\n\n", pkg)
	for name := range g.skip {
		delete(g.structs, name)
		delete(g.enumTypes, name)
	}
	var body bytes.Buffer
	for _, name := range sortedKeys(g.structs) {
		if err := g.writeStruct(&body, name); err != nil {
			return nil, err
		}
	}
	for _, name := range sortedKeys(g.enumTypes) {
		g.writeEnum(&body, name)
	}
	var imports []string
	for _, path := range sortedKeys(g.imports) {
		imports = append(imports, strconv.Quote(path))
	}
	if len(imports) > 0 {
		b.WriteString("import (\n" + strings.Join(imports, "\n") + "\n)\n\n")
	}
	b.Write(body.Bytes())
	src, err := format.Source(b.Bytes())
	if err != nil {
		return b.Bytes(), fmt.Errorf("formatting: %w", err)
	}
	return src, nil
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (g *gen) walk(name string) error {
	s, ok := g.m.Shapes[name]
	if !ok {
		return fmt.Errorf("no shape %s in the model", name)
	}
	switch s.Type {
	case "structure":
		if s.Document {
			return nil
		}
		if g.structs[name] {
			return nil
		}
		g.structs[name] = true
		for _, mn := range s.memberOrder {
			if err := g.walk(s.Members[mn].Shape); err != nil {
				return err
			}
		}
	case "list":
		return g.walk(s.Member.Shape)
	case "map":
		if err := g.walk(s.Key.Shape); err != nil {
			return err
		}
		return g.walk(s.Value.Shape)
	case "string":
		if len(s.Enum) > 0 && g.enums && !(g.inputEnums && g.walkingOutput) {
			g.enumTypes[name] = true
		}
	}
	return nil
}

// goType is the Go type of a value of the shape; inStruct says whether it
// is a struct member (scalars and structures are then pointers).
func (g *gen) goType(name string, r *ref, inStruct bool) string {
	s := g.m.Shapes[name]
	ptr := ""
	if inStruct {
		ptr = "*"
	}
	switch s.Type {
	case "structure":
		if s.Document {
			g.imports["encoding/json"] = true
			return "json.RawMessage"
		}
		return ptr + g.goName(name)
	case "list":
		return "[]" + g.goType(s.Member.Shape, s.Member, false)
	case "map":
		return "map[string]" + g.goType(s.Value.Shape, s.Value, false)
	case "string":
		if s.Nullable {
			ptr = "*"
		}
		if g.typed[name] {
			return ptr + g.goName(name)
		}
		return ptr + "string"
	case "boolean":
		return ptr + "bool"
	case "integer":
		return ptr + "int32"
	case "long":
		return ptr + "int64"
	case "float":
		return ptr + "float32"
	case "double":
		return ptr + "float64"
	case "timestamp":
		g.imports["time"] = true
		return ptr + "time.Time"
	case "blob":
		if s.Streaming || (r != nil && r.Streaming) {
			g.imports["io"] = true
			return "io.ReadCloser"
		}
		return "[]byte"
	}
	g.imports["encoding/json"] = true
	return "json.RawMessage"
}

func (g *gen) writeStruct(b *bytes.Buffer, name string) error {
	s := g.m.Shapes[name]
	fmt.Fprintf(b, "// %s is the %s shape of AWS's model.\ntype %s struct {\n", g.goName(name), name, g.goName(name))
	if s.XMLRoot != "" {
		fmt.Fprintf(b, "\t_ struct{} `aws:\"name=%s\"`\n", s.XMLRoot)
	}
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	for _, mn := range s.memberOrder {
		r := s.Members[mn]
		target := g.m.Shapes[r.Shape]
		field := g.goName(mn)
		typ := g.goType(r.Shape, r, true)
		var tags []string
		wire := mn
		loc := ""
		switch r.Location {
		case "header":
			loc = "header"
		case "headers":
			loc = "headers"
		case "uri":
			loc = "uri"
		case "querystring":
			loc = "query"
			if target.Type == "map" {
				loc = "querymap"
			}
		case "statusCode":
			loc = "status"
		}
		if s.Payload == mn {
			loc = "payload"
		}
		// A locationName without a location renames the member in the
		// document. In XML-based models (awsQuery, restXml) that is the
		// XML and awsQuery name only: a service that also speaks awsJson
		// (SQS) uses the member name there. A flattened list's elements
		// take its member's locationName.
		xmlName := ""
		if loc == "" && r.LocationName != "" {
			if g.xmlDocuments() {
				xmlName = r.LocationName
			} else {
				wire = r.LocationName
			}
		}
		if loc == "" && r.LocationName == "" && target.LocationName != "" && g.xmlDocuments() {
			xmlName = target.LocationName
		}
		if g.xmlDocuments() && (r.Flattened || target.Flattened) && target.Type == "list" &&
			target.Member.LocationName != "" {
			xmlName = target.Member.LocationName
		}
		if wire != field {
			tags = append(tags, "name="+wire)
		}
		if xmlName != "" && xmlName != wire {
			tags = append(tags, "xmlname="+xmlName)
		}
		if loc != "" {
			tags = append(tags, "loc="+loc)
			if r.LocationName != "" && loc != "payload" {
				tags = append(tags, "locname="+r.LocationName)
			}
		}
		if required[mn] {
			tags = append(tags, "required")
		}
		if target.Min != nil && !(target.Type == "string" && *target.Min == 0) {
			tags = append(tags, "min="+strconv.FormatFloat(*target.Min, 'f', -1, 64))
		}
		if target.Max != nil {
			tags = append(tags, "max="+strconv.FormatFloat(*target.Max, 'f', -1, 64))
		}
		ts := r.TimestampFormat
		if ts == "" {
			ts = target.TimestampFormat
		}
		if ts != "" {
			tags = append(tags, "ts="+ts)
		}
		if r.Flattened || target.Flattened {
			tags = append(tags, "flat")
		}
		if target.Type == "list" && !(r.Flattened || target.Flattened) &&
			target.Member.LocationName != "" && target.Member.LocationName != "member" {
			tags = append(tags, "member="+target.Member.LocationName)
		}
		if target.Type == "map" {
			if target.Key.LocationName != "" && target.Key.LocationName != "key" {
				tags = append(tags, "key="+target.Key.LocationName)
			}
			if target.Value.LocationName != "" && target.Value.LocationName != "value" {
				tags = append(tags, "value="+target.Value.LocationName)
			}
		}
		if r.XMLAttribute {
			tags = append(tags, "attr")
		}
		if r.XMLNamespace != nil && r.XMLNamespace.URI != "" {
			tags = append(tags, "xmlns="+r.XMLNamespace.URI)
		} else if ns := s.XMLNamespace; r.XMLAttribute && ns != nil && ns.Prefix != "" &&
			strings.HasPrefix(r.LocationName, ns.Prefix+":") {
			// A prefixed attribute carries its prefix's namespace, which
			// the encoder declares beside it.
			tags = append(tags, "xmlns="+ns.URI)
		}
		var tag string
		if len(tags) > 0 {
			tag = "aws:" + strconv.Quote(strings.Join(tags, ","))
		}
		if target.Pattern != "" && target.Type == "string" {
			if tag != "" {
				tag += " "
			}
			tag += "pattern:" + strconv.Quote(target.Pattern)
		}
		if strings.Contains(tag, "`") {
			return fmt.Errorf("%s.%s: tag contains a backquote", name, mn)
		}
		if tag != "" {
			fmt.Fprintf(b, "\t%s %s `%s`\n", field, typ, tag)
		} else {
			fmt.Fprintf(b, "\t%s %s\n", field, typ)
		}
	}
	b.WriteString("}\n\n")
	return nil
}

func (g *gen) writeEnum(b *bytes.Buffer, name string) {
	s := g.m.Shapes[name]
	n := g.goName(name)
	fmt.Fprintf(b, "// %s is the %s enum of AWS's model.\ntype %s string\n\n", n, name, n)
	fmt.Fprintf(b, "// Values lists the values AWS accepts for %s.\nfunc (%s) Values() []string {\n\treturn []string{", n, n)
	for i, v := range s.Enum {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(v))
	}
	b.WriteString("}\n}\n\n")
}
