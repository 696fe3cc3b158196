package rpcv2cbor

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// CBOR's major types (RFC 8949 section 3.1), in the top three bits of an
// item's first byte.
const (
	majorUint   = 0
	majorNegInt = 1
	majorBytes  = 2
	majorText   = 3
	majorArray  = 4
	majorMap    = 5
	majorTag    = 6
	majorSimple = 7
)

// Additional information values with a meaning of their own.
const (
	info8bit       = 24
	info16bit      = 25
	info32bit      = 26
	info64bit      = 27
	infoIndefinite = 31
)

// Simple values and the break stop code (RFC 8949 section 3.3).
const (
	simpleFalse     = 20
	simpleTrue      = 21
	simpleNull      = 22
	simpleUndefined = 23
	breakByte       = 0xff
)

// tagEpoch is the tag of an epoch-based date/time (RFC 8949 section
// 3.4.2), which Smithy uses for every timestamp.
const tagEpoch = 1

// MaxDepth bounds nesting, so a hostile document cannot exhaust the stack.
const MaxDepth = 128

// DecodeError is a body that is not one well-formed CBOR data item, or
// one that Smithy's data model cannot hold.
type DecodeError struct{ Message string }

func (e *DecodeError) Error() string { return e.Message }

func errorf(format string, args ...any) error {
	return &DecodeError{Message: fmt.Sprintf(format, args...)}
}

var errTruncated = &DecodeError{Message: "unexpected end of CBOR data"}

// Decode reads data, which must be exactly one CBOR data item, into the
// generic values encoding/json produces with UseNumber: map[string]any,
// []any, string, bool, nil and json.Number. Byte strings become their
// base64 text and tag 1 timestamps their epoch seconds, as awsJson
// carries them; NaN and the infinities become "NaN", "Infinity" and
// "-Infinity".
func Decode(data []byte) (any, error) {
	d := decoder{data: data}
	v, err := d.item(0)
	if err != nil {
		return nil, err
	}
	if d.pos != len(d.data) {
		return nil, errorf("%d bytes after the end of the CBOR data item", len(d.data)-d.pos)
	}
	return v, nil
}

type decoder struct {
	data []byte
	pos  int
	// lastMajor is the major type of the last string read, which tells a
	// text key from a byte string one (both decode to Go strings).
	lastMajor byte
}

// head reads an item's initial byte and argument. For an indefinite
// length (additional information 31) it returns indefinite set.
func (d *decoder) head() (major byte, info byte, arg uint64, indefinite bool, err error) {
	if d.pos >= len(d.data) {
		return 0, 0, 0, false, errTruncated
	}
	b := d.data[d.pos]
	d.pos++
	major, info = b>>5, b&0x1f
	switch {
	case info < info8bit:
		return major, info, uint64(info), false, nil
	case info <= info64bit:
		n := 1 << (info - info8bit)
		if len(d.data)-d.pos < n {
			return 0, 0, 0, false, errTruncated
		}
		p := d.data[d.pos : d.pos+n]
		d.pos += n
		switch n {
		case 1:
			arg = uint64(p[0])
		case 2:
			arg = uint64(binary.BigEndian.Uint16(p))
		case 4:
			arg = uint64(binary.BigEndian.Uint32(p))
		default:
			arg = binary.BigEndian.Uint64(p)
		}
		return major, info, arg, false, nil
	case info == infoIndefinite:
		switch major {
		case majorBytes, majorText, majorArray, majorMap:
			return major, info, 0, true, nil
		case majorSimple:
			return 0, 0, 0, false, errorf("unexpected break stop code")
		}
	}
	return 0, 0, 0, false, errorf("reserved additional information %d in major type %d", info, major)
}

// atBreak consumes a break stop code if one is next.
func (d *decoder) atBreak() (bool, error) {
	if d.pos >= len(d.data) {
		return false, errTruncated
	}
	if d.data[d.pos] == breakByte {
		d.pos++
		return true, nil
	}
	return false, nil
}

func (d *decoder) item(depth int) (any, error) {
	if depth > MaxDepth {
		return nil, errorf("CBOR data nested too deeply")
	}
	d.lastMajor = 0xff
	major, info, arg, indefinite, err := d.head()
	if err != nil {
		return nil, err
	}
	switch major {
	case majorUint:
		return json.Number(strconv.FormatUint(arg, 10)), nil
	case majorNegInt:
		// -1 - arg, which may not fit in an int64.
		if arg < math.MaxInt64 {
			return json.Number(strconv.FormatInt(-1-int64(arg), 10)), nil
		}
		return json.Number("-" + plusOne(arg)), nil
	case majorBytes, majorText:
		s, err := d.str(major, arg, indefinite)
		if err != nil {
			return nil, err
		}
		if major == majorBytes {
			return base64.StdEncoding.EncodeToString(s), nil
		}
		if !utf8.Valid(s) {
			return nil, errorf("text string is not valid UTF-8")
		}
		return string(s), nil
	case majorArray:
		var xs []any
		if !indefinite && arg > uint64(len(d.data)-d.pos) {
			return nil, errTruncated // each element takes a byte at least
		}
		xs = make([]any, 0, int(min(arg, 1024)))
		for i := uint64(0); indefinite || i < arg; i++ {
			if indefinite {
				if end, err := d.atBreak(); err != nil {
					return nil, err
				} else if end {
					break
				}
			}
			x, err := d.item(depth + 1)
			if err != nil {
				return nil, err
			}
			xs = append(xs, x)
		}
		return xs, nil
	case majorMap:
		if !indefinite && arg > uint64(len(d.data)-d.pos)/2 {
			return nil, errTruncated
		}
		m := make(map[string]any, int(min(arg, 1024)))
		for i := uint64(0); indefinite || i < arg; i++ {
			if indefinite {
				if end, err := d.atBreak(); err != nil {
					return nil, err
				} else if end {
					break
				}
			}
			k, err := d.item(depth + 1)
			if err != nil {
				return nil, err
			}
			key, ok := k.(string)
			if !ok || !d.lastWasText() {
				return nil, errorf("map key is not a text string")
			}
			v, err := d.item(depth + 1)
			if err != nil {
				return nil, err
			}
			m[key] = v
		}
		return m, nil
	case majorTag:
		x, err := d.item(depth + 1)
		if err != nil {
			return nil, err
		}
		if arg == tagEpoch {
			if _, ok := x.(json.Number); !ok {
				return nil, errorf("tag 1 timestamp is not a number")
			}
		}
		// Other tags carry no meaning in Smithy's data model: the tagged
		// item stands for itself.
		return x, nil
	case majorSimple:
		switch info {
		case simpleFalse:
			return false, nil
		case simpleTrue:
			return true, nil
		case simpleNull, simpleUndefined:
			return nil, nil
		case info16bit:
			return float(halfToFloat64(uint16(arg))), nil
		case info32bit:
			return float(float64(math.Float32frombits(uint32(arg)))), nil
		case info64bit:
			return float(math.Float64frombits(arg)), nil
		}
		return nil, errorf("unsupported simple value %d", arg)
	}
	return nil, errorf("unknown major type %d", major)
}

// lastWasText reports whether the item just read was a text string; a
// byte string decodes to a Go string too.
func (d *decoder) lastWasText() bool { return d.lastMajor == majorText }

// plusOne returns arg+1 in decimal, for the negative integers below
// math.MinInt64 that major type 1 can carry.
func plusOne(arg uint64) string {
	if arg == math.MaxUint64 {
		return "18446744073709551616"
	}
	return strconv.FormatUint(arg+1, 10)
}

// str reads a byte or text string's content: definite, or indefinite as
// a sequence of definite chunks of the same major type.
func (d *decoder) str(major byte, arg uint64, indefinite bool) ([]byte, error) {
	d.lastMajor = major
	if !indefinite {
		if arg > uint64(len(d.data)-d.pos) {
			return nil, errTruncated
		}
		s := d.data[d.pos : d.pos+int(arg)]
		d.pos += int(arg)
		return s, nil
	}
	var s []byte
	for {
		end, err := d.atBreak()
		if err != nil {
			return nil, err
		}
		if end {
			return s, nil
		}
		m, _, n, ind, err := d.head()
		if err != nil {
			return nil, err
		}
		if m != major || ind {
			return nil, errorf("indefinite-length string chunk of major type %d is not a definite string of major type %d", m, major)
		}
		if n > uint64(len(d.data)-d.pos) {
			return nil, errTruncated
		}
		s = append(s, d.data[d.pos:d.pos+int(n)]...)
		d.pos += int(n)
	}
}

// float returns f as awsJson carries a number: its shortest decimal text,
// or the string naming NaN or an infinity.
func float(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	// Plain decimals where JSON writers use them, exponents beyond.
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	}
	return json.Number(strconv.FormatFloat(f, 'f', -1, 64))
}

// halfToFloat64 converts an IEEE 754 half-precision float (RFC 8949
// Appendix D).
func halfToFloat64(h uint16) float64 {
	exp := int(h>>10) & 0x1f
	mant := float64(h & 0x3ff)
	var v float64
	switch exp {
	case 0:
		v = math.Ldexp(mant, -24)
	case 31:
		if mant == 0 {
			v = math.Inf(1)
		} else {
			v = math.NaN()
		}
	default:
		v = math.Ldexp(mant+1024, exp-25)
	}
	if h&0x8000 != 0 {
		return -v
	}
	return v
}
