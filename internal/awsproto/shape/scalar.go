package shape

import (
	"encoding/base64"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Timestamp formats, as AWS models name them.
const (
	ISO8601       = "iso8601"
	UnixTimestamp = "unixTimestamp"
	RFC822        = "rfc822"
)

// Settable returns the value to assign into for fv: fv itself, or for a
// pointer the (freshly allocated if nil) value it points to.
func Settable(fv reflect.Value) reflect.Value {
	for fv.Kind() == reflect.Pointer {
		if fv.IsNil() {
			fv.Set(reflect.New(fv.Type().Elem()))
		}
		fv = fv.Elem()
	}
	return fv
}

// TypeError says a wire value cannot be converted to a member's type.
type TypeError struct {
	Value string // the wire text, or a description of the JSON value
	Kind  Kind
}

func (e *TypeError) Error() string {
	return fmt.Sprintf("%s can not be converted to %s", e.Value, e.Kind)
}

// String names a kind as AWS's messages name it.
func (k Kind) String() string {
	switch k {
	case String:
		return "String"
	case Boolean:
		return "Boolean"
	case Integer:
		return "Long"
	case Float:
		return "Double"
	case Timestamp:
		return "Timestamp"
	case Blob:
		return "Blob"
	case List:
		return "List"
	case Map:
		return "Map"
	case Structure:
		return "Structure"
	case Document:
		return "Document"
	case Stream:
		return "Stream"
	}
	return "Invalid"
}

// SetText assigns the text form of a scalar (as it travels in query
// strings, headers, URI labels and XML) to v, which must be settable and
// not a pointer. tsFormat is the timestamp format in force.
func SetText(v reflect.Value, t *Type, s, tsFormat string) error {
	switch t.Kind {
	case String:
		v.SetString(s)
	case Boolean:
		switch s {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			return &TypeError{Value: s, Kind: t.Kind}
		}
	case Integer:
		if v.CanInt() {
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, v.Type().Bits())
			if err != nil {
				return &TypeError{Value: s, Kind: t.Kind}
			}
			v.SetInt(n)
		} else {
			n, err := strconv.ParseUint(strings.TrimSpace(s), 10, v.Type().Bits())
			if err != nil {
				return &TypeError{Value: s, Kind: t.Kind}
			}
			v.SetUint(n)
		}
	case Float:
		n, err := strconv.ParseFloat(strings.TrimSpace(s), v.Type().Bits())
		if err != nil {
			return &TypeError{Value: s, Kind: t.Kind}
		}
		v.SetFloat(n)
	case Timestamp:
		ts, err := ParseTime(s, tsFormat)
		if err != nil {
			return &TypeError{Value: s, Kind: t.Kind}
		}
		v.Set(reflect.ValueOf(ts))
	case Blob:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return &TypeError{Value: s, Kind: t.Kind}
		}
		v.SetBytes(b)
	default:
		return &TypeError{Value: s, Kind: t.Kind}
	}
	return nil
}

// Text returns the text form of a scalar v (not a pointer).
func Text(v reflect.Value, t *Type, tsFormat string) string {
	switch t.Kind {
	case String:
		return v.String()
	case Boolean:
		return strconv.FormatBool(v.Bool())
	case Integer:
		if v.CanInt() {
			return strconv.FormatInt(v.Int(), 10)
		}
		return strconv.FormatUint(v.Uint(), 10)
	case Float:
		return FormatFloat(v.Float())
	case Timestamp:
		return FormatTime(v.Interface().(time.Time), tsFormat)
	case Blob:
		return base64.StdEncoding.EncodeToString(v.Bytes())
	}
	return fmt.Sprint(v.Interface())
}

// FormatFloat prints a double as AWS protocols do, with NaN and the
// infinities spelled as the JSON and query protocols spell them.
func FormatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// FormatTime prints a timestamp in one of AWS's formats.
func FormatTime(t time.Time, format string) string {
	t = t.UTC()
	switch format {
	case UnixTimestamp:
		ms := t.UnixMilli()
		if ms%1000 == 0 {
			return strconv.FormatInt(ms/1000, 10)
		}
		return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
	case RFC822:
		return t.Format(time.RFC1123[:len(time.RFC1123)-3] + "GMT")
	default:
		if t.Nanosecond() == 0 {
			return t.Format("2006-01-02T15:04:05Z")
		}
		return t.Format("2006-01-02T15:04:05.000Z")
	}
}

// The timestamps AWS's formats can carry: years 0001 to 9999, in epoch
// seconds.
const (
	minEpoch = -62135596800
	maxEpoch = 253402300799
)

// ParseTime reads a timestamp in the given format; ISO 8601 is also
// accepted with an offset or fractional seconds, and a format-less call
// tries all three.
func ParseTime(s, format string) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch format {
	case UnixTimestamp:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || f < minEpoch || f >= maxEpoch+1 {
			return time.Time{}, fmt.Errorf("bad epoch seconds %q", s)
		}
		sec, frac := math.Modf(f)
		t := time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC()
		if t.Year() > 9999 {
			return time.Time{}, fmt.Errorf("bad epoch seconds %q", s)
		}
		return t, nil
	case RFC822:
		t, err := time.Parse(time.RFC1123, s)
		if err != nil {
			t, err = time.Parse(time.RFC1123Z, s)
		}
		return t.UTC(), err
	case ISO8601:
		t, err := time.Parse(time.RFC3339Nano, s)
		return t.UTC(), err
	}
	for _, f := range []string{ISO8601, UnixTimestamp, RFC822} {
		if t, err := ParseTime(s, f); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad timestamp %q", s)
}
