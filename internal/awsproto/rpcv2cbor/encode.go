package rpcv2cbor

import (
	"encoding/binary"
	"math"
	"reflect"
	"time"

	"github.com/virga/virga/internal/awsproto/shape"
)

// Marshal appends the CBOR encoding of v, a shape struct or a pointer to
// one, to dst: a map of its body members, with nil members left out.
func Marshal(dst []byte, v any) []byte {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return appendHead(dst, majorMap, 0)
		}
		rv = rv.Elem()
	}
	return appendValue(dst, rv, shape.Of(rv.Type()))
}

// appendHead appends an item's initial byte with the shortest encoding of
// its argument (RFC 8949 section 4.2.1, preferred serialization).
func appendHead(dst []byte, major byte, arg uint64) []byte {
	m := major << 5
	switch {
	case arg < info8bit:
		return append(dst, m|byte(arg))
	case arg <= math.MaxUint8:
		return append(dst, m|info8bit, byte(arg))
	case arg <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, m|info16bit), uint16(arg))
	case arg <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, m|info32bit), uint32(arg))
	}
	return binary.BigEndian.AppendUint64(append(dst, m|info64bit), arg)
}

// AppendText appends s as a text string.
func AppendText(dst []byte, s string) []byte {
	return append(appendHead(dst, majorText, uint64(len(s))), s...)
}

// AppendBytes appends b as a byte string.
func AppendBytes(dst []byte, b []byte) []byte {
	return append(appendHead(dst, majorBytes, uint64(len(b))), b...)
}

// AppendInt appends i as an unsigned or negative integer.
func AppendInt(dst []byte, i int64) []byte {
	if i < 0 {
		return appendHead(dst, majorNegInt, uint64(-1-i))
	}
	return appendHead(dst, majorUint, uint64(i))
}

// AppendFloat appends f as a single-precision float when that holds it
// exactly, a double-precision one otherwise: the protocol asks for the
// smallest representation, but not half precision, which not every
// implementation reads.
func AppendFloat(dst []byte, f float64) []byte {
	if f32 := float32(f); float64(f32) == f || math.IsNaN(f) {
		return binary.BigEndian.AppendUint32(append(dst, majorSimple<<5|info32bit), math.Float32bits(f32))
	}
	return binary.BigEndian.AppendUint64(append(dst, majorSimple<<5|info64bit), math.Float64bits(f))
}

// AppendBool appends b as the simple value true or false.
func AppendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, majorSimple<<5|simpleTrue)
	}
	return append(dst, majorSimple<<5|simpleFalse)
}

// AppendTime appends t as a tag 1 epoch timestamp: an integer when it
// falls on a whole second, a double with millisecond precision otherwise.
func AppendTime(dst []byte, t time.Time) []byte {
	dst = appendHead(dst, majorTag, tagEpoch)
	ms := t.UnixMilli()
	if ms%1000 == 0 {
		return AppendInt(dst, ms/1000)
	}
	return AppendFloat(dst, float64(ms)/1000)
}

// AppendMapHead appends the head of a map of n pairs.
func AppendMapHead(dst []byte, n int) []byte { return appendHead(dst, majorMap, uint64(n)) }

func appendValue(dst []byte, v reflect.Value, t *shape.Type) []byte {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return append(dst, majorSimple<<5|simpleNull)
		}
		v = v.Elem()
	}
	switch t.Kind {
	case shape.String:
		return AppendText(dst, v.String())
	case shape.Boolean:
		return AppendBool(dst, v.Bool())
	case shape.Integer:
		if v.CanInt() {
			return AppendInt(dst, v.Int())
		}
		return appendHead(dst, majorUint, v.Uint())
	case shape.Float:
		return AppendFloat(dst, v.Float())
	case shape.Timestamp:
		return AppendTime(dst, v.Interface().(time.Time))
	case shape.Blob, shape.Document:
		return AppendBytes(dst, v.Bytes())
	case shape.List:
		dst = appendHead(dst, majorArray, uint64(v.Len()))
		for i := 0; i < v.Len(); i++ {
			dst = appendValue(dst, v.Index(i), t.Elem)
		}
		return dst
	case shape.Map:
		dst = appendHead(dst, majorMap, uint64(v.Len()))
		iter := v.MapRange()
		for iter.Next() {
			dst = AppendText(dst, iter.Key().String())
			dst = appendValue(dst, iter.Value(), t.Elem)
		}
		return dst
	case shape.Structure:
		n := 0
		for _, mf := range t.Fields {
			if mf.Loc == shape.Body && !omit(v.Field(mf.Index)) {
				n++
			}
		}
		dst = appendHead(dst, majorMap, uint64(n))
		for _, mf := range t.Fields {
			fv := v.Field(mf.Index)
			if mf.Loc != shape.Body || omit(fv) {
				continue
			}
			dst = AppendText(dst, mf.Name)
			dst = appendValue(dst, fv, mf.Shape)
		}
		return dst
	}
	return append(dst, majorSimple<<5|simpleNull)
}

// omit reports whether a member is absent and left out of the map.
func omit(fv reflect.Value) bool {
	switch fv.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return fv.IsNil()
	}
	return false
}
