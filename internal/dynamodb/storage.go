package dynamodb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/store/keys"
)

// The store layout, in tuples (package keys):
//
//	("ddb", "table", name)                          → table (JSON)
//	("ddb", "seq")                                  → last table id (uint64)
//	("ddb", "item", tableID, hash[, range])         → item (itemcodec)
//	("ddb", "index", tableID, index, ihash[, irange], hash[, range])
//	                                                → projected item
//	("ddb", "hist", tableID, nanos, seq, itemKey)   → previous image (pitr.go)
//	("ddb", "backup", backupARN)                    → backup (JSON, op_backups.go)
//	("ddb", "bitem", backupARN, hash[, range])      → item as backed up
//	("ddb", "pending", kind, id)                    → a copy in progress
//
// Items live under the table's id, not its name, so a deleted table's
// items can be removed in the background while a new table of the same
// name starts empty. Key values encode as the keys package orders them:
// S as strings (UTF-8 byte order), N as decimals (numeric order, 1 and 1.0
// the same key), B as bytes, which is the order DynamoDB sorts range keys in.

func tableKey(name string) []byte {
	return keys.AppendString(keys.AppendString(keys.AppendString(nil, "ddb"), "table"), name)
}

func tablesPrefix() []byte {
	return keys.AppendString(keys.AppendString(nil, "ddb"), "table")
}

// droppedKey holds a deleted table whose streams are still readable, by
// the table's id.
func droppedKey(id uint64) []byte {
	return keys.AppendUint(droppedPrefix(), id)
}

func droppedPrefix() []byte {
	return keys.AppendString(keys.AppendString(nil, "ddb"), "dropped")
}

func seqKey() []byte {
	return keys.AppendString(keys.AppendString(nil, "ddb"), "seq")
}

// itemsPrefix is the prefix of every item of a table.
func itemsPrefix(tableID uint64) []byte {
	k := keys.AppendString(keys.AppendString(nil, "ddb"), "item")
	return keys.AppendUint(k, tableID)
}

// indexesPrefix is the prefix of every entry of every secondary index
// of a table.
func indexesPrefix(tableID uint64) []byte {
	k := keys.AppendString(keys.AppendString(nil, "ddb"), "index")
	return keys.AppendUint(k, tableID)
}

// indexPrefix is the prefix of every entry of one secondary index.
func indexPrefix(tableID uint64, index string) []byte {
	k := keys.AppendString(keys.AppendString(nil, "ddb"), "index")
	k = keys.AppendUint(k, tableID)
	return keys.AppendString(k, index)
}

// appendKeyValue appends one key attribute's value.
func appendKeyValue(dst []byte, v attr.Value) []byte {
	switch v.Type() {
	case attr.TypeS:
		return keys.AppendString(dst, v.S())
	case attr.TypeN:
		d := v.N().Decimal()
		out, err := keys.AppendDecimal(dst, &d)
		if err != nil {
			// attr.ParseNumber only makes finite numbers in DynamoDB's range.
			panic("dynamodb: number key: " + err.Error())
		}
		return out
	default:
		return keys.AppendBytes(dst, v.B())
	}
}

// Item codec: the stored form of an item. Compact and self-describing:
//
//	item  = uvarint(count) { uvarint(len) name value }
//	value = type-byte payload
//
// S, N (its canonical text) and B are uvarint(len) bytes; sets and lists
// are uvarint(count) then members (set members without their type byte);
// maps are uvarint(count) then name/value pairs; NULL and BOOL are one
// byte.

const itemCodecVersion = 1

// The codec's type bytes. They are part of the storage format: never
// renumber one.
var typeTags = map[attr.Type]byte{
	attr.TypeS: 1, attr.TypeN: 2, attr.TypeB: 3, attr.TypeSS: 4, attr.TypeNS: 5,
	attr.TypeBS: 6, attr.TypeM: 7, attr.TypeL: 8, attr.TypeNULL: 9, attr.TypeBOOL: 10,
}

var tagTypes = func() map[byte]attr.Type {
	m := make(map[byte]attr.Type, len(typeTags))
	for t, b := range typeTags {
		m[b] = t
	}
	return m
}()

func encodeItem(dst []byte, it attr.Item) []byte {
	dst = append(dst, itemCodecVersion)
	dst = binary.AppendUvarint(dst, uint64(len(it)))
	for name, v := range it {
		dst = appendString(dst, name)
		dst = appendValue(dst, v)
	}
	return dst
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func appendValue(dst []byte, v attr.Value) []byte {
	t := v.Type()
	dst = append(dst, typeTags[t])
	switch t {
	case attr.TypeS:
		dst = appendString(dst, v.S())
	case attr.TypeN:
		dst = appendString(dst, v.N().String())
	case attr.TypeB:
		dst = binary.AppendUvarint(dst, uint64(len(v.B())))
		dst = append(dst, v.B()...)
	case attr.TypeSS, attr.TypeNS, attr.TypeBS:
		ms := v.Members()
		dst = binary.AppendUvarint(dst, uint64(len(ms)))
		for _, m := range ms {
			dst = appendValue(dst, m)
		}
	case attr.TypeL:
		l := v.L()
		dst = binary.AppendUvarint(dst, uint64(len(l)))
		for _, e := range l {
			dst = appendValue(dst, e)
		}
	case attr.TypeM:
		m := v.M()
		dst = binary.AppendUvarint(dst, uint64(len(m)))
		for k, e := range m {
			dst = appendString(dst, k)
			dst = appendValue(dst, e)
		}
	case attr.TypeBOOL:
		if v.Bool() {
			dst = append(dst, 1)
		} else {
			dst = append(dst, 0)
		}
	case attr.TypeNULL:
	}
	return dst
}

var errCorrupt = errors.New("dynamodb: corrupt stored item")

type itemDecoder struct{ b []byte }

func decodeItem(b []byte) (attr.Item, error) {
	if len(b) == 0 || b[0] != itemCodecVersion {
		return nil, errCorrupt
	}
	d := itemDecoder{b: b[1:]}
	n, err := d.count()
	if err != nil {
		return nil, err
	}
	it := make(attr.Item, n)
	for i := 0; i < n; i++ {
		name, err := d.str()
		if err != nil {
			return nil, err
		}
		v, err := d.value(0)
		if err != nil {
			return nil, err
		}
		it[name] = v
	}
	return it, nil
}

func (d *itemDecoder) count() (int, error) {
	n, k := binary.Uvarint(d.b)
	if k <= 0 || n > math.MaxInt32 || n > uint64(len(d.b)) {
		return 0, errCorrupt
	}
	d.b = d.b[k:]
	return int(n), nil
}

func (d *itemDecoder) bytes() ([]byte, error) {
	n, err := d.count()
	if err != nil || n > len(d.b) {
		return nil, errCorrupt
	}
	out := d.b[:n:n]
	d.b = d.b[n:]
	return out, nil
}

func (d *itemDecoder) str() (string, error) {
	b, err := d.bytes()
	return string(b), err
}

func (d *itemDecoder) value(depth int) (attr.Value, error) {
	if len(d.b) == 0 || depth > attr.MaxDepth+1 {
		return attr.Value{}, errCorrupt
	}
	t, ok := tagTypes[d.b[0]]
	if !ok {
		return attr.Value{}, errCorrupt
	}
	d.b = d.b[1:]
	switch t {
	case attr.TypeS:
		s, err := d.str()
		return attr.S(s), err
	case attr.TypeN:
		s, err := d.str()
		if err != nil {
			return attr.Value{}, err
		}
		n, err := attr.ParseNumber(s)
		if err != nil {
			return attr.Value{}, fmt.Errorf("%w: %v", errCorrupt, err)
		}
		return attr.N(n), nil
	case attr.TypeB:
		b, err := d.bytes()
		return attr.B(append([]byte(nil), b...)), err
	case attr.TypeSS, attr.TypeNS, attr.TypeBS, attr.TypeL:
		n, err := d.count()
		if err != nil {
			return attr.Value{}, err
		}
		ms := make([]attr.Value, n)
		for i := range ms {
			if ms[i], err = d.value(depth + 1); err != nil {
				return attr.Value{}, err
			}
		}
		if t == attr.TypeL {
			return attr.L(ms...), nil
		}
		set := attr.Set(t, ms)
		if !set.IsValid() {
			return attr.Value{}, errCorrupt
		}
		return set, nil
	case attr.TypeM:
		n, err := d.count()
		if err != nil {
			return attr.Value{}, err
		}
		m := make(map[string]attr.Value, n)
		for i := 0; i < n; i++ {
			k, err := d.str()
			if err != nil {
				return attr.Value{}, err
			}
			if m[k], err = d.value(depth + 1); err != nil {
				return attr.Value{}, err
			}
		}
		return attr.M(m), nil
	case attr.TypeBOOL:
		if len(d.b) == 0 {
			return attr.Value{}, errCorrupt
		}
		b := d.b[0] == 1
		d.b = d.b[1:]
		return attr.Bool(b), nil
	case attr.TypeNULL:
		return attr.Null(), nil
	}
	return attr.Value{}, errCorrupt
}
