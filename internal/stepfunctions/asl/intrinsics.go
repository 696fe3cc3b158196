package asl

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	"strconv"
	"strings"
)

// An intrinsic is a parsed intrinsic function call, such as
// States.Format('Hello {}', $.name).
type intrinsic struct {
	name string
	args []arg
}

// arg is one argument: a literal, a path or a nested call.
type arg struct {
	literal any
	path    *Path
	call    *intrinsic
}

// Limits from "Intrinsic functions" in the Step Functions developer
// guide.
const (
	maxArrayRange   = 1000  // ArrayRange "can't generate more than 1000 items"
	maxBase64Input  = 10000 // Base64Encode/Decode input limit, in characters
	maxHashInput    = 10000 // Hash input limit, in characters
	maxIntrinsicArg = 10    // nesting depth virga accepts
)

// intrinsicArity is each function's number of arguments: min, max (-1
// for any).
var intrinsicArity = map[string][2]int{
	"States.Format":         {1, -1},
	"States.StringToJson":   {1, 1},
	"States.JsonToString":   {1, 1},
	"States.Array":          {0, -1},
	"States.ArrayPartition": {2, 2},
	"States.ArrayContains":  {2, 2},
	"States.ArrayRange":     {3, 3},
	"States.ArrayGetItem":   {2, 2},
	"States.ArrayLength":    {1, 1},
	"States.ArrayUnique":    {1, 1},
	"States.Base64Encode":   {1, 1},
	"States.Base64Decode":   {1, 1},
	"States.Hash":           {2, 2},
	"States.JsonMerge":      {3, 3},
	"States.MathRandom":     {2, 3},
	"States.MathAdd":        {2, 2},
	"States.StringSplit":    {2, 2},
	"States.UUID":           {0, 0},
}

// isIntrinsic reports whether a ".$" value is an intrinsic call rather
// than a path.
func isIntrinsic(s string) bool { return strings.HasPrefix(strings.TrimSpace(s), "States.") }

// parseIntrinsic parses a whole intrinsic function call.
func parseIntrinsic(src string) (*intrinsic, error) {
	p := &intrinsicParser{s: src}
	p.space()
	c, err := p.call(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q after the function call", p.s[p.i:])
	}
	return c, nil
}

type intrinsicParser struct {
	s string
	i int
}

func (p *intrinsicParser) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *intrinsicParser) call(depth int) (*intrinsic, error) {
	if depth > maxIntrinsicArg {
		return nil, fmt.Errorf("intrinsic functions are nested too deeply")
	}
	open := strings.IndexByte(p.s[p.i:], '(')
	if open < 0 {
		return nil, fmt.Errorf("expected '(' after the function name")
	}
	name := strings.TrimSpace(p.s[p.i : p.i+open])
	arity, ok := intrinsicArity[name]
	if !ok {
		return nil, fmt.Errorf("unknown intrinsic function %q", name)
	}
	p.i += open + 1
	c := &intrinsic{name: name}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
	} else {
		for {
			p.space()
			a, err := p.arg(depth)
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, a)
			p.space()
			if p.i >= len(p.s) {
				return nil, fmt.Errorf("unclosed '(' in %s", name)
			}
			if p.s[p.i] == ')' {
				p.i++
				break
			}
			if p.s[p.i] != ',' {
				return nil, fmt.Errorf("expected ',' or ')' in %s", name)
			}
			p.i++
		}
	}
	if len(c.args) < arity[0] || (arity[1] >= 0 && len(c.args) > arity[1]) {
		return nil, fmt.Errorf("%s takes %s arguments, not %d", name, arityText(arity), len(c.args))
	}
	return c, nil
}

func arityText(a [2]int) string {
	switch {
	case a[1] < 0:
		return "at least " + strconv.Itoa(a[0])
	case a[0] == a[1]:
		return strconv.Itoa(a[0])
	}
	return strconv.Itoa(a[0]) + " to " + strconv.Itoa(a[1])
}

func (p *intrinsicParser) arg(depth int) (arg, error) {
	if p.i >= len(p.s) {
		return arg{}, fmt.Errorf("missing argument")
	}
	rest := p.s[p.i:]
	switch {
	case rest[0] == '\'':
		var b strings.Builder
		for j := 1; j < len(rest); j++ {
			switch rest[j] {
			case '\\':
				if j+1 >= len(rest) {
					return arg{}, fmt.Errorf("unfinished escape")
				}
				j++
				if rest[j] == '{' || rest[j] == '}' {
					// Kept escaped for States.Format to read.
					b.WriteByte('\\')
				}
				b.WriteByte(rest[j])
			case '\'':
				p.i += j + 1
				return arg{literal: b.String()}, nil
			default:
				b.WriteByte(rest[j])
			}
		}
		return arg{}, fmt.Errorf("unclosed string")
	case rest[0] == '$':
		end := argEnd(rest)
		path, err := ParsePath(strings.TrimSpace(rest[:end]))
		if err != nil {
			return arg{}, err
		}
		p.i += end
		return arg{path: path}, nil
	case strings.HasPrefix(rest, "States."):
		c, err := p.call(depth + 1)
		if err != nil {
			return arg{}, err
		}
		return arg{call: c}, nil
	}
	end := argEnd(rest)
	tok := strings.TrimSpace(rest[:end])
	p.i += end
	switch tok {
	case "true":
		return arg{literal: true}, nil
	case "false":
		return arg{literal: false}, nil
	case "null":
		return arg{literal: nil}, nil
	}
	if _, err := strconv.ParseFloat(tok, 64); err == nil && tok != "" {
		return arg{literal: json.Number(tok)}, nil
	}
	return arg{}, fmt.Errorf("bad argument %q", tok)
}

// argEnd is where an unquoted argument ends: at the ',' or ')' outside
// brackets.
func argEnd(s string) int {
	depth := 0
	quote := byte(0)
	for j := 0; j < len(s); j++ {
		c := s[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		case (c == ',' || c == ')') && depth <= 0:
			return j
		}
	}
	return len(s)
}

// intrinsicError is States.IntrinsicFailure.
func intrinsicError(format string, a ...any) error {
	return &Failure{Name: ErrIntrinsicFailure, Cause: fmt.Sprintf(format, a...)}
}

func (c *intrinsic) eval(x *evalContext) (any, error) {
	args := make([]any, len(c.args))
	for i, a := range c.args {
		switch {
		case a.call != nil:
			v, err := a.call.eval(x)
			if err != nil {
				return nil, err
			}
			args[i] = v
		case a.path != nil:
			v, err := x.resolve(a.path)
			if err != nil {
				return nil, err
			}
			args[i] = v
		default:
			args[i] = a.literal
		}
	}
	str := func(i int) (string, error) {
		s, ok := args[i].(string)
		if !ok {
			return "", intrinsicError("The %s function's argument %d must be a string", c.name, i+1)
		}
		return s, nil
	}
	arr := func(i int) ([]any, error) {
		a, ok := args[i].([]any)
		if !ok {
			return nil, intrinsicError("The %s function's argument %d must be an array", c.name, i+1)
		}
		return a, nil
	}
	intArg := func(i int) (int64, error) {
		n, ok := integer(args[i])
		if !ok {
			return 0, intrinsicError("The %s function's argument %d must be an integer", c.name, i+1)
		}
		return n, nil
	}
	switch c.name {
	case "States.Format":
		tmpl, err := str(0)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		next := 1
		for j := 0; j < len(tmpl); j++ {
			switch {
			case tmpl[j] == '\\' && j+1 < len(tmpl):
				j++
				b.WriteByte(tmpl[j])
			case strings.HasPrefix(tmpl[j:], "{}"):
				if next >= len(args) {
					return nil, intrinsicError("The States.Format function's template has more placeholders than arguments")
				}
				switch v := args[next].(type) {
				case string:
					b.WriteString(v)
				default:
					b.WriteString(Encode(v))
				}
				next++
				j++
			default:
				b.WriteByte(tmpl[j])
			}
		}
		if next != len(args) {
			return nil, intrinsicError("The States.Format function's template has fewer placeholders than arguments")
		}
		return b.String(), nil
	case "States.StringToJson":
		s, err := str(0)
		if err != nil {
			return nil, err
		}
		v, err := Decode([]byte(s))
		if err != nil {
			return nil, intrinsicError("The States.StringToJson function's argument is not valid JSON")
		}
		return v, nil
	case "States.JsonToString":
		return Encode(args[0]), nil
	case "States.Array":
		return append([]any{}, args...), nil
	case "States.ArrayPartition":
		a, err := arr(0)
		if err != nil {
			return nil, err
		}
		n, err := intArg(1)
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return nil, intrinsicError("The States.ArrayPartition function's chunk size must be greater than 0")
		}
		out := []any{}
		for i := 0; i < len(a); i += int(n) {
			out = append(out, append([]any{}, a[i:min(len(a), i+int(n))]...))
		}
		return out, nil
	case "States.ArrayContains":
		a, err := arr(0)
		if err != nil {
			return nil, err
		}
		for _, v := range a {
			if equal(v, args[1]) {
				return true, nil
			}
		}
		return false, nil
	case "States.ArrayRange":
		var n [3]int64
		for i := range n {
			v, err := intArg(i)
			if err != nil {
				return nil, err
			}
			n[i] = v
		}
		if n[2] == 0 {
			return nil, intrinsicError("The States.ArrayRange function's step must not be 0")
		}
		out := []any{}
		for v := n[0]; (n[2] > 0 && v <= n[1]) || (n[2] < 0 && v >= n[1]); v += n[2] {
			if len(out) == maxArrayRange {
				return nil, intrinsicError("The States.ArrayRange function cannot generate more than %d items", maxArrayRange)
			}
			out = append(out, json.Number(strconv.FormatInt(v, 10)))
			if (n[2] > 0 && v > math.MaxInt64-n[2]) || (n[2] < 0 && v < math.MinInt64-n[2]) {
				break // the next value would overflow: it is past the end
			}
		}
		return out, nil
	case "States.ArrayGetItem":
		a, err := arr(0)
		if err != nil {
			return nil, err
		}
		i, err := intArg(1)
		if err != nil {
			return nil, err
		}
		if i < 0 || i >= int64(len(a)) {
			return nil, intrinsicError("The States.ArrayGetItem function's index %d is out of bounds", i)
		}
		return a[i], nil
	case "States.ArrayLength":
		a, err := arr(0)
		if err != nil {
			return nil, err
		}
		return json.Number(strconv.Itoa(len(a))), nil
	case "States.ArrayUnique":
		a, err := arr(0)
		if err != nil {
			return nil, err
		}
		out := []any{}
	outer:
		for _, v := range a {
			for _, w := range out {
				if equal(v, w) {
					continue outer
				}
			}
			out = append(out, v)
		}
		return out, nil
	case "States.Base64Encode":
		s, err := str(0)
		if err != nil {
			return nil, err
		}
		if len(s) > maxBase64Input {
			return nil, intrinsicError("The States.Base64Encode function's input is longer than %d characters", maxBase64Input)
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "States.Base64Decode":
		s, err := str(0)
		if err != nil {
			return nil, err
		}
		if len(s) > maxBase64Input {
			return nil, intrinsicError("The States.Base64Decode function's input is longer than %d characters", maxBase64Input)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, intrinsicError("The States.Base64Decode function's input is not valid base64")
		}
		return string(b), nil
	case "States.Hash":
		var data string
		if s, ok := args[0].(string); ok {
			data = s
		} else {
			data = Encode(args[0])
		}
		if len(data) > maxHashInput {
			return nil, intrinsicError("The States.Hash function's input is longer than %d characters", maxHashInput)
		}
		alg, err := str(1)
		if err != nil {
			return nil, err
		}
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
			return nil, intrinsicError("The States.Hash function's algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512")
		}
		h.Write([]byte(data))
		return hex.EncodeToString(h.Sum(nil)), nil
	case "States.JsonMerge":
		a, ok1 := args[0].(map[string]any)
		b, ok2 := args[1].(map[string]any)
		if !ok1 || !ok2 {
			return nil, intrinsicError("The States.JsonMerge function merges two objects")
		}
		if deep, _ := args[2].(bool); deep || args[2] == nil {
			if deep {
				return nil, intrinsicError("The States.JsonMerge function supports shallow merges only: its third argument must be false")
			}
			return nil, intrinsicError("The States.JsonMerge function's third argument must be a boolean")
		}
		out := make(map[string]any, len(a)+len(b))
		for k, v := range a {
			out[k] = v
		}
		for k, v := range b {
			out[k] = v
		}
		return out, nil
	case "States.MathRandom":
		lo, err := intArg(0)
		if err != nil {
			return nil, err
		}
		hi, err := intArg(1)
		if err != nil {
			return nil, err
		}
		if hi <= lo {
			return nil, intrinsicError("The States.MathRandom function's end must be greater than its start")
		}
		if hi-lo <= 0 {
			// The range overflows an int64.
			return nil, intrinsicError("The States.MathRandom function's range is too large")
		}
		var seed *int64
		if len(args) == 3 {
			s, err := intArg(2)
			if err != nil {
				return nil, err
			}
			seed = &s
		}
		return json.Number(strconv.FormatInt(lo+x.env.RandomInt(hi-lo, seed), 10)), nil
	case "States.MathAdd":
		a, err := intArg(0)
		if err != nil {
			return nil, err
		}
		b, err := intArg(1)
		if err != nil {
			return nil, err
		}
		return json.Number(strconv.FormatInt(a+b, 10)), nil
	case "States.StringSplit":
		s, err := str(0)
		if err != nil {
			return nil, err
		}
		d, err := str(1)
		if err != nil {
			return nil, err
		}
		out := []any{}
		for _, part := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(d, r) }) {
			out = append(out, part)
		}
		return out, nil
	case "States.UUID":
		return x.env.UUID(), nil
	}
	return nil, intrinsicError("unknown intrinsic function %s", c.name)
}
