package shape

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"testing"
)

// TestGeneratedTagsParse parses every aws and pattern tag of the committed
// outputs of shapegen the way Of does: a tag Of rejects would panic the
// first time a service describes the operation that reaches it.
func TestGeneratedTagsParse(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../*/zz_*shapes.go")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no generated shapes found under internal/")
	}
	for _, path := range files {
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			ast.Inspect(file, func(node ast.Node) bool {
				spec, ok := node.(*ast.TypeSpec)
				if !ok {
					return true
				}
				st, ok := spec.Type.(*ast.StructType)
				if !ok {
					return false
				}
				for _, fd := range st.Fields.List {
					if fd.Tag == nil {
						continue
					}
					raw, err := strconv.Unquote(fd.Tag.Value)
					if err != nil {
						t.Fatal(err)
					}
					where := fmt.Sprintf("%s.%s (%s)", spec.Name.Name, fd.Names[0].Name, fset.Position(fd.Pos()))
					sf := reflect.StructField{Name: fd.Names[0].Name, Tag: reflect.StructTag(raw)}
					if msg := parseTagPanic(sf); msg != "" {
						t.Errorf("%s: %s", where, msg)
					}
					if p := sf.Tag.Get("pattern"); p != "" {
						n++
						// The same compilation buildStruct does.
						if _, err := regexp.Compile("^(?:" + goPattern(p) + ")$"); err != nil {
							t.Errorf("%s: pattern %s: %v", where, p, err)
						}
					}
				}
				return false
			})
			t.Logf("%d patterns", n)
		})
	}
}

func parseTagPanic(sf reflect.StructField) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	parseTag(&Field{Name: sf.Name}, sf, reflect.TypeFor[struct{}]())
	return ""
}
