package attr

import (
	"bytes"
	"encoding/base64"
	"sort"
	"strings"
)

// MaxDepth is DynamoDB's nesting limit: "DynamoDB supports nested attributes
// up to 32 levels deep". A top-level attribute's value is level 1, and each
// list element or map entry is one level below its container.
const MaxDepth = 32

// MaxNameBytes is the longest attribute name DynamoDB accepts: its
// documented 64 KB limit, exclusive.
const MaxNameBytes = 65535

// CheckName refuses an attribute name longer than MaxNameBytes.
func CheckName(name string) error {
	if len(name) > MaxNameBytes {
		return ErrNameTooLong
	}
	return nil
}

// Key size limits, from "Partition keys and sort keys" in the developer guide.
const (
	MaxHashKeySize  = 2048 // bytes of a partition key value
	MaxRangeKeySize = 1024 // bytes of a sort key value
)

// Validate checks what a decoded value must satisfy beyond its shape: sets
// are non-empty and duplicate-free (numbers compared numerically), and
// nesting stays within MaxDepth counting v as level 1.
func Validate(v Value) error { return validate(v, 1) }

// ValidateItem validates every attribute of an item.
func ValidateItem(it Item) error {
	for _, v := range it {
		if err := validate(v, 1); err != nil {
			return err
		}
	}
	return nil
}

func validate(v Value, level int) error {
	if level > MaxDepth {
		return ErrNestingDepth
	}
	switch v.t {
	case TypeSS, TypeNS, TypeBS:
		return validateSet(v)
	case TypeL:
		for _, e := range v.list {
			if err := validate(e, level+1); err != nil {
				return err
			}
		}
	case TypeM:
		for _, e := range v.m {
			if err := validate(e, level+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateSet(v Value) error {
	if len(v.list) == 0 {
		switch v.t {
		case TypeSS:
			return ErrEmptyStringSet
		case TypeNS:
			return ErrEmptyNumberSet
		default:
			return ErrEmptyBinarySet
		}
	}
	seen := make(map[string]struct{}, len(v.list))
	for i, m := range v.list {
		k := memberKey(m)
		if _, dup := seen[k]; dup {
			return duplicateError(v, i)
		}
		seen[k] = struct{}{}
	}
	return nil
}

// duplicateError renders DynamoDB's duplicate-member message. It lists the
// members before the first repeat in byte order, then the repeat (at index
// dup), then the remaining members as sent; number sets name no members.
func duplicateError(v Value, dup int) error {
	if v.t == TypeNS {
		return &Error{Message: ErrNumberSetDup.Message, Older: "Input collection contains duplicates"}
	}
	before := append([]Value(nil), v.list[:dup]...)
	sort.Slice(before, func(i, j int) bool {
		if v.t == TypeSS {
			return before[i].s < before[j].s
		}
		return bytes.Compare(before[i].b, before[j].b) < 0
	})
	ordered := append(before, v.list[dup:]...)
	var b strings.Builder
	b.WriteString("One or more parameter values were invalid: Input collection [")
	for i, m := range ordered {
		if v.t == TypeSS {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(`"` + m.s + `"`)
		} else {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`"` + base64.StdEncoding.EncodeToString(m.b) + `"`)
		}
	}
	if v.t == TypeSS {
		b.WriteString("] contains duplicates.")
	} else {
		b.WriteString("]of type BS contains duplicates.")
	}
	return &Error{Message: b.String(), Older: olderDuplicateMessage(v)}
}

// olderDuplicateMessage is the older validation layer's duplicate-member
// message: the members as sent, unquoted.
func olderDuplicateMessage(v Value) string {
	members := make([]string, len(v.list))
	for i, m := range v.list {
		if v.t == TypeSS {
			members[i] = m.s
		} else {
			members[i] = base64.StdEncoding.EncodeToString(m.b)
		}
	}
	msg := "One or more parameter values were invalid: Input collection [" + strings.Join(members, ", ") + "]"
	if v.t == TypeSS {
		return msg + " contains duplicates."
	}
	return msg + "of type BS contains duplicates."
}

// IsKeyType reports whether a key attribute may have type t (S, N or B).
func IsKeyType(t Type) bool { return t.IsScalar() }

// CheckKey checks a key attribute's value: empty strings and binaries are
// refused in keys, a partition key is at most MaxHashKeySize bytes and a sort
// key at most MaxRangeKeySize. Type checks against the schema are the
// caller's, since their messages depend on the operation.
func CheckKey(name string, v Value, isRange bool) error {
	var size int
	switch v.t {
	case TypeS:
		if v.s == "" {
			return &Error{Message: "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: " + name}
		}
		size = len(v.s)
	case TypeB:
		if len(v.b) == 0 {
			return &Error{Message: "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: " + name}
		}
		size = len(v.b)
	default:
		return nil
	}
	if !isRange && size > MaxHashKeySize {
		return ErrHashKeyTooLong
	}
	if isRange && size > MaxRangeKeySize {
		return ErrRangeKeyTooLong
	}
	return nil
}
