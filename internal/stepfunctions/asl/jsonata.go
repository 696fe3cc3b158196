package asl

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"

	jsonata "github.com/xiatechs/jsonata-go"
	"github.com/xiatechs/jsonata-go/jlib"
	"github.com/xiatechs/jsonata-go/jtypes"
)

// ErrQueryEvaluation is the error a JSONata expression that fails
// raises.
const ErrQueryEvaluation = "States.QueryEvaluationError"

// jvalue is a value of a JSONata state's field: JSON in which every
// string written "{% expression %}" is a JSONata expression.
type jvalue struct {
	kind    int // 0 literal, 1 expression, 2 object, 3 array
	literal any
	src     string
	keys    []string
	fields  []*jvalue
	items   []*jvalue
}

// jexpr returns the expression of a "{% ... %}" string.
func jexpr(v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		return "", false
	}
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "{%") || !strings.HasSuffix(t, "%}") || len(t) < 4 {
		return "", false
	}
	return strings.TrimSpace(t[2 : len(t)-2]), true
}

// compileJ checks v's expressions and returns it ready to evaluate.
func compileJ(v any) (*jvalue, error) {
	if src, ok := jexpr(v); ok {
		if _, err := jsonata.Compile(src); err != nil {
			return nil, fmt.Errorf("%q is not a valid JSONata expression: %v", src, err)
		}
		return &jvalue{kind: 1, src: src}, nil
	}
	switch t := v.(type) {
	case map[string]any:
		out := &jvalue{kind: 2}
		for _, k := range sortedKeys(t) {
			f, err := compileJ(t[k])
			if err != nil {
				return nil, err
			}
			out.keys = append(out.keys, k)
			out.fields = append(out.fields, f)
		}
		return out, nil
	case []any:
		out := &jvalue{kind: 3}
		for _, e := range t {
			f, err := compileJ(e)
			if err != nil {
				return nil, err
			}
			out.items = append(out.items, f)
		}
		return out, nil
	}
	return &jvalue{literal: v}, nil
}

// jctx is what JSONata expressions see: $states and the variables.
type jctx struct {
	env    Env
	states map[string]any
	vars   map[string]any
}

var errUndefined = errors.New("undefined")

func (j *jvalue) eval(x *jctx) (any, error) {
	v, err := j.evalField(x)
	if errors.Is(err, errUndefined) {
		return nil, &Failure{Name: ErrQueryEvaluation, Cause: fmt.Sprintf("The JSONata expression '%s' returned nothing (undefined)", j.src)}
	}
	return v, err
}

func (j *jvalue) evalField(x *jctx) (any, error) {
	switch j.kind {
	case 1:
		return evalJSONata(j.src, x)
	case 2:
		out := make(map[string]any, len(j.keys))
		for i, k := range j.keys {
			v, err := j.fields[i].evalField(x)
			if errors.Is(err, errUndefined) {
				continue // JSONata leaves out fields whose value is undefined
			}
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	case 3:
		out := make([]any, 0, len(j.items))
		for _, it := range j.items {
			v, err := it.evalField(x)
			if errors.Is(err, errUndefined) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return j.literal, nil
}

func evalJSONata(src string, x *jctx) (any, error) {
	vars := make(map[string]any, len(x.vars)+1)
	for k, v := range x.vars {
		vars[k] = toJSONata(v)
	}
	vars["states"] = toJSONata(x.states)
	if needsWorker(src) {
		return evalIsolated(src, vars)
	}
	return evalJSONataVars(src, vars, x.env)
}

// evalJSONataVars evaluates src with the variables given, already in
// the library's form (toJSONata).
func evalJSONataVars(src string, vars map[string]any, rnd jsonataRandom) (any, error) {
	e, err := jsonata.Compile(src)
	if err != nil {
		return nil, &Failure{Name: ErrQueryEvaluation, Cause: err.Error()}
	}
	if err := e.RegisterVars(vars); err != nil {
		return nil, &Failure{Name: ErrQueryEvaluation, Cause: err.Error()}
	}
	if err := e.RegisterExts(stepFunctionsJSONata(rnd)); err != nil {
		return nil, &Failure{Name: ErrQueryEvaluation, Cause: err.Error()}
	}
	v, err := e.Eval(nil)
	if errors.Is(err, jsonata.ErrUndefined) {
		return nil, errUndefined
	}
	if err != nil {
		return nil, &Failure{Name: ErrQueryEvaluation, Cause: err.Error()}
	}
	return fromJSONata(v), nil
}

// jsonataRandom is where $uuid and $random take their randomness: the
// execution's Env.
type jsonataRandom interface {
	UUID() string
	RandomInt(n int64, seed *int64) int64
}

// toJSONata turns values into the float64-numbered JSON the JSONata
// library works on.
func toJSONata(v any) any {
	switch t := v.(type) {
	case json.Number:
		f, _ := t.Float64()
		return f
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = toJSONata(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = toJSONata(e)
		}
		return out
	}
	return v
}

// fromJSONata turns a JSONata result back into values.
func fromJSONata(v any) any {
	switch t := v.(type) {
	case nil, string, bool:
		return t
	case float64:
		return num(t)
	case int:
		return num(float64(t))
	case int64:
		return num(float64(t))
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = fromJSONata(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = fromJSONata(e)
		}
		return out
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	out, err := Decode(raw)
	if err != nil {
		return nil
	}
	return out
}

// maxPadWidth bounds $pad: "Maximum input or output size for a task,
// state, or execution: 256 KiB".
const maxPadWidth = 256 * 1024

// padContext is JSONata's rule for $pad's context argument: called
// with only a number, or a number and a string, it pads the context.
func padContext(argv []reflect.Value) bool {
	switch len(argv) {
	case 1:
		return jtypes.IsNumber(argv[0])
	case 2:
		return jtypes.IsNumber(argv[0]) && jtypes.IsString(argv[1])
	}
	return false
}

// stepFunctionsJSONata are the functions Step Functions adds to JSONata:
// $partition, $range, $hash, $random, $uuid and $parse.
func stepFunctionsJSONata(env jsonataRandom) map[string]jsonata.Extension {
	return map[string]jsonata.Extension{
		"partition": {Func: func(a []any, size float64) ([]any, error) {
			// A fraction would make chunks of nothing for ever, a size
			// beyond an int wraps round: a chunk holds at most the array.
			if size <= 0 || size != math.Trunc(size) {
				return nil, fmt.Errorf("$partition's chunk size must be a positive integer")
			}
			out := []any{}
			n := len(a)
			if size < float64(n) {
				n = int(size)
			}
			for i := 0; i < len(a); i += n {
				out = append(out, append([]any{}, a[i:min(len(a), i+n)]...))
			}
			return out, nil
		}},
		"range": {Func: func(start, end, step float64) ([]any, error) {
			if step == 0 {
				return nil, fmt.Errorf("$range's step must not be 0")
			}
			out := []any{}
			for v := start; (step > 0 && v <= end) || (step < 0 && v >= end); v += step {
				if len(out) == maxArrayRange {
					return nil, fmt.Errorf("$range cannot generate more than %d items", maxArrayRange)
				}
				out = append(out, v)
			}
			return out, nil
		}},
		"hash": {Func: func(data, alg string) (string, error) {
			var h hash.Hash
			switch alg {
			case "MD5":
				h = md5.New()
			case "SHA-1":
				h = sha1.New()
			case "SHA-256":
				h = sha256.New()
			case "SHA-384":
				h = sha512.New384()
			case "SHA-512":
				h = sha512.New()
			default:
				return "", fmt.Errorf("$hash's algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512")
			}
			h.Write([]byte(data))
			return hex.EncodeToString(h.Sum(nil)), nil
		}},
		"random": {Func: func(seed ...float64) float64 {
			if len(seed) > 0 {
				return rand.New(rand.NewPCG(uint64(int64(seed[0])), 0)).Float64()
			}
			return float64(env.RandomInt(1<<53, nil)) / (1 << 53)
		}},
		// $pad is JSONata's, bounded: a padded string longer than a
		// state's whole payload (256 KiB) is refused rather than built.
		"pad": {Func: func(s string, width float64, chars jtypes.OptionalString) (string, error) {
			if math.Abs(width) > maxPadWidth || math.IsNaN(width) {
				return "", fmt.Errorf("$pad's width must not exceed %d characters, the largest payload of a state", maxPadWidth)
			}
			return jlib.Pad(s, int(width), chars), nil
		}, UndefinedHandler: jtypes.ArgUndefined(0), EvalContextHandler: padContext},
		"uuid":  {Func: func() string { return env.UUID() }},
		"parse": {Func: func(s string) (any, error) { var v any; err := json.Unmarshal([]byte(s), &v); return v, err }},
	}
}
