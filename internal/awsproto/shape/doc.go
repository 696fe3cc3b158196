// Package shape describes the Go structs that carry AWS operation inputs and
// outputs: for each member, its wire name, where it travels (body, header,
// URI label, query string, payload), how it is encoded, and the constraints
// AWS validates (required, length and value ranges, patterns, enums).
//
// The description comes from the struct itself: the member name is the Go
// field name unless the `aws` tag renames it, and traits are listed in that
// tag:
//
//	type AssumeRoleInput struct {
//		RoleArn         *string `aws:"required,min=20,max=2048"`
//		DurationSeconds *int32  `aws:"min=900,max=43200"`
//		Policy          *string `aws:"min=1" pattern:"[\u0009\u000A\u000D\u0020-\u00FF]+"`
//		FunctionName    *string `aws:"loc=uri,locname=FunctionName,required"`
//		InvocationType  *string `aws:"loc=header,locname=X-Amz-Invocation-Type"`
//	}
//
// Tag keys in `aws`: name=N (wire member name), xmlname=N (its name in XML
// and awsQuery when that differs), loc=body|header|headers|uri|
// query|querymap|payload|status (where a REST protocol binds it), locname=N
// (the header, label or query key), required, min=N, max=N (length for
// strings, blobs, lists and maps; value for numbers), ts=iso8601|
// unixTimestamp|rfc822 (timestamp format), flat (flattened XML/query list or
// map), member=N, key=N, value=N (names of list members and map entries in
// XML and query), attr (an XML attribute), xmlns=URI. A regular expression
// constraint goes in its own `pattern` tag. A named string type with a
// method Values() []string is an enum: decoders check the value is one of
// them.
//
// Scalars are pointers when optional (nil is absent); lists, maps and blobs
// are absent when nil. Descriptions are built once per type and cached.
package shape
