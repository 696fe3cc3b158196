package dynamodb

import (
	"reflect"
	"strings"

	"github.com/virga/virga/internal/awsproto/jsoncodec"
	"github.com/virga/virga/internal/awsproto/shape"
)

// DynamoDB reports constraint violations with rules of its own on top of
// the model's, which the operations' inputs apply here as
// awsproto.ViolationReviser:
//
//   - The item operations take a table name or ARN, so their TableName is
//     checked as 1 to 255 characters (CreateTable's 3 is a control-plane
//     rule), with the pattern only on a name that is not empty, and
//     neither the pattern nor the length on an ARN (up to 1024); and a
//     missing member is the plain "Value null at 'key'" violation, never
//     the control plane's "The parameter 'TableName' is required".
//   - Most item operations stop at a bad table name and report nothing
//     else; UpdateItem stops at an unknown ReturnValues, unless its Key is
//     missing, when it reports every member in an order of its own.
//   - The batch operations word an empty RequestItems, and a table's
//     request list outside its bounds, their own way, and count requests
//     across tables before they check each table's.
//
// Each rule is one function below; the inputs combine them.

// Limits of the batch operations, from DynamoDB's documentation.
const (
	maxBatchGetKeys  = 100 // "A single operation can retrieve up to 16 MB of data, which can contain as many as 100 items."
	maxBatchWrites   = 25  // "A single call to BatchWriteItem can transmit up to 16MB of data ... as many as 25 put or delete requests."
	maxTransactItems = 100 // TransactWriteItems and TransactGetItems: up to 100 actions.
)

// tableNamePattern is the pattern of a table name, as messages quote it.
const tableNamePattern = "[a-zA-Z0-9_.-]+"

// lastPathElem is the member a violation's path ends in.
func lastPathElem(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// dataPlaneTableNames rewrites the model's violations of every tableName
// member by the item operations' rule: at least 1 character, not 3, and
// an empty name fails its length only.
func dataPlaneTableNames(vs []shape.Violation) []shape.Violation {
	out := vs[:0:0]
	for _, v := range vs {
		if lastPathElem(v.Path) == "tableName" {
			switch {
			case strings.HasPrefix(v.Value, "'arn:") && !strings.Contains(v.Constraint, "greater than or equal"):
				continue // a table's ARN, which the item operations take
			case strings.HasSuffix(v.Constraint, "greater than or equal to 3"):
				if v.Value != "''" {
					continue // 1 or 2 characters: a valid name here
				}
				v.Constraint = "Member must have length greater than or equal to 1"
			case strings.Contains(v.Constraint, "regular expression pattern") && v.Value == "''":
				continue
			}
		}
		out = append(out, v)
	}
	return out
}

// only returns the violations at the top-level member path, or nil.
func only(vs []shape.Violation, path string) []shape.Violation {
	var out []shape.Violation
	for _, v := range vs {
		if v.Path == path {
			out = append(out, v)
		}
	}
	return out
}

// tableNameFirst applies the rule that a bad table name is reported alone.
func tableNameFirst(vs []shape.Violation) []shape.Violation {
	if t := only(vs, "tableName"); t != nil {
		return t
	}
	return vs
}

// ReviseViolations applies the item operations' table name rules.
func (in *PutItemInput) ReviseViolations(vs []shape.Violation) ([]shape.Violation, error) {
	return tableNameFirst(dataPlaneTableNames(vs)), nil
}

// ReviseViolations applies the item operations' table name rules.
func (in *DeleteItemInput) ReviseViolations(vs []shape.Violation) ([]shape.Violation, error) {
	return tableNameFirst(dataPlaneTableNames(vs)), nil
}

// ReviseViolations applies the item operations' table name rules.
func (in *GetItemInput) ReviseViolations(vs []shape.Violation) ([]shape.Violation, error) {
	return tableNameFirst(dataPlaneTableNames(vs)), nil
}

// ReviseViolations applies the item operations' table name rules.
func (in *ScanInput) ReviseViolations(vs []shape.Violation) ([]shape.Violation, error) {
	return tableNameFirst(dataPlaneTableNames(vs)), nil
}

// ReviseViolations applies the item operations' table name rules, and
// Query's newer checks of ConditionalOperator and Limit, which are
// reported alone: ConditionalOperator bare (in AWS's own, mistaken, list
// of values), Limit without echoing the value.
func (in *QueryInput) ReviseViolations(vs []shape.Violation) ([]shape.Violation, error) {
	vs = tableNameFirst(dataPlaneTableNames(vs))
	if only(vs, "tableName") != nil {
		return vs, nil
	}
	if only(vs, "conditionalOperator") != nil {
		return nil, invalid("Failed to satisfy constraint: Member must satisfy enum value set: [ALL, OR]")
	}
	if l := only(vs, "limit"); l != nil {
		return []shape.Violation{{Path: "Limit", Constraint: l[0].Constraint}}, nil
	}
	return vs, nil
}

// ReviseViolations applies UpdateItem's rules: with its Key, a bad table
// name and then an unknown ReturnValues are reported alone; without it,
// DynamoDB's older check runs and reports every member, in its own order.
func (in *UpdateItemInput) ReviseViolations(vs []shape.Violation) ([]shape.Violation, error) {
	vs = dataPlaneTableNames(vs)
	if in.Key == nil {
		var out []shape.Violation
		for _, m := range []string{"returnConsumedCapacity", "tableName", "conditionalOperator", "returnValues", "key"} {
			out = append(out, only(vs, m)...)
		}
		for _, v := range vs {
			switch v.Path {
			case "returnConsumedCapacity", "tableName", "conditionalOperator", "returnValues", "key":
			default:
				out = append(out, v)
			}
		}
		return out, nil
	}
	if t := only(vs, "tableName"); t != nil {
		return t, nil
	}
	if rv := only(vs, "returnValues"); rv != nil {
		return rv, nil
	}
	return vs, nil
}

// ReviseViolations applies the table name rules to each action, and
// reports a too long ClientRequestToken ahead of the other members.
func (in *TransactWriteItemsInput) ReviseViolations(vs []shape.Violation) ([]shape.Violation, error) {
	vs = dataPlaneTableNames(vs)
	token := only(vs, "clientRequestToken")
	if token == nil {
		return vs, nil
	}
	out := append([]shape.Violation(nil), token...)
	for _, v := range vs {
		if v.Path != "clientRequestToken" {
			out = append(out, v)
		}
	}
	return out, nil
}

// ReviseViolations applies the table name rules to each action.
func (in *TransactGetItemsInput) ReviseViolations(vs []shape.Violation) ([]shape.Violation, error) {
	return dataPlaneTableNames(vs), nil
}

// validTableName reports whether a name satisfies CreateTable's rules,
// which a batch's RequestItems keys are held to, or is a table's ARN.
func validTableName(name string) bool {
	if isTableARN(name) {
		return true
	}
	if len(name) < 3 || len(name) > 255 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// ReviseViolations applies BatchGetItem's rules: an empty RequestItems
// has a sentence of its own; a key of RequestItems that is not a table
// name is reported against the whole map, which AWS echoes as JSON; a
// table's Keys beyond 100 is worded by the newer validation layer; and
// keys are counted across tables.
func (in *BatchGetItemInput) ReviseViolations(vs []shape.Violation) ([]shape.Violation, error) {
	if len(in.RequestItems) == 0 {
		return nil, invalid("The requestItems parameter is required for BatchGetItem")
	}
	var out []shape.Violation
	for _, name := range sortedNames(in.RequestItems) {
		if !validTableName(name) {
			out = append(out, shape.Violation{
				Path:       "requestItems",
				Value:      "'" + string(jsoncodec.MarshalValue(nil, reflect.ValueOf(in.RequestItems), shape.Of(reflect.TypeOf(in.RequestItems)), nil)) + "'",
				Constraint: "Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: " + tableNamePattern + "]",
			})
			break
		}
	}
	for _, name := range sortedNames(in.RequestItems) {
		if n := len(in.RequestItems[name].Keys); n > maxBatchGetKeys {
			return []shape.Violation{{Path: "RequestItems." + name + ".member.Keys", Constraint: "Member must have length less than or equal to 100"}}, nil
		}
	}
	for _, v := range vs {
		if !strings.HasSuffix(v.Path, ".member.keys") || !strings.Contains(v.Constraint, "less than or equal") {
			out = append(out, v)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	total := 0
	for _, ka := range in.RequestItems {
		total += len(ka.Keys)
	}
	if total > maxBatchGetKeys {
		return nil, invalid("Too many items requested for the BatchGetItem call")
	}
	return nil, nil
}

// ReviseViolations applies BatchWriteItem's rules: an empty RequestItems
// has a sentence of its own; a table's request list outside 1 to 25 is
// reported against the whole map, which AWS echoes in its Java form; and
// requests are counted across tables.
func (in *BatchWriteItemInput) ReviseViolations(vs []shape.Violation) ([]shape.Violation, error) {
	if len(in.RequestItems) == 0 {
		return nil, invalid("The requestItems parameter is required for BatchWriteItem")
	}
	var out []shape.Violation
	for _, name := range sortedNames(in.RequestItems) {
		if n := len(in.RequestItems[name]); n < 1 || n > maxBatchWrites {
			out = append(out, shape.Violation{
				Path:       "requestItems",
				Value:      "'" + shape.JavaString(in.RequestItems) + "'",
				Constraint: "Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]",
			})
			break
		}
	}
	for _, v := range vs {
		if !(strings.HasPrefix(v.Path, "requestItems.") && strings.HasSuffix(v.Path, ".member") && strings.Contains(v.Constraint, "length")) {
			out = append(out, v)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	total := 0
	for _, reqs := range in.RequestItems {
		total += len(reqs)
	}
	if total > maxBatchWrites {
		return nil, invalid("Too many items requested for the BatchWriteItem call")
	}
	return nil, nil
}
