package awsproto

import (
	"reflect"
	"sort"
)

// Permission is one IAM action on one resource (an ARN, or "*").
type Permission struct{ Action, Resource string }

// inputField is the member named field of an operation's input struct
// (through any pointers to it), or false when in is no struct or has no
// such member.
func inputField(in any, field string) (reflect.Value, bool) {
	v := reflect.ValueOf(in)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return reflect.Value{}, false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	f := v.FieldByName(field)
	return f, f.IsValid()
}

// InputString returns the value of the string (or *string) member named
// field of an operation's input struct, or "" when it has none or it is
// not set: services' Resources functions read the member that names
// their resource (TableName, QueueUrl, TopicArn) this way, whatever the
// operation.
func InputString(in any, field string) string {
	f, ok := inputField(in, field)
	if !ok {
		return ""
	}
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return ""
		}
		f = f.Elem()
	}
	if f.Kind() != reflect.String {
		return ""
	}
	return f.String()
}

// InputMapKeys returns the keys of the map member named field of an
// operation's input struct (DynamoDB's RequestItems, keyed by table),
// sorted.
func InputMapKeys(in any, field string) []string {
	f, ok := inputField(in, field)
	if !ok || f.Kind() != reflect.Map || f.Type().Key().Kind() != reflect.String {
		return nil
	}
	out := make([]string, 0, f.Len())
	for _, k := range f.MapKeys() {
		out = append(out, k.String())
	}
	sort.Strings(out)
	return out
}

// InputStrings returns the values of the []string member named field of
// an operation's input struct (DescribeClusters' clusters, GetParameters'
// Names), or nil when it has none.
func InputStrings(in any, field string) []string {
	f, ok := inputField(in, field)
	if !ok || f.Kind() != reflect.Slice || f.Type().Elem().Kind() != reflect.String {
		return nil
	}
	out := make([]string, 0, f.Len())
	for i := range f.Len() {
		out = append(out, f.Index(i).String())
	}
	return out
}
