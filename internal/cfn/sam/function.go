package sam

import (
	"crypto/sha1"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
)

// function is an AWS::Serverless::Function being transformed.
type function struct {
	id    string
	props map[string]any // with Globals merged
	attrs attributes
	// role is the generated execution role, nil when Role is given.
	role *role
	// alias is the logical ID of the AutoPublishAlias alias, and
	// aliasName its name; both empty without AutoPublishAlias.
	alias, aliasName string
	// skipped notes the events virga did not build, for Metadata.
	skipped map[string]any
	// deployment is the DeploymentPreference recorded in Metadata.
	deployment any
	// pullEvents is set when an event source mapping reads for the
	// function, which then waits for its role (and the policies that
	// let it read).
	pullEvents bool
	// cognitoPermission is set once a Cognito event has made
	// FUNCTIONCognitoPermission.
	cognitoPermission bool
}

// name is how permissions, mappings and subscriptions name the function:
// its alias when AutoPublishAlias publishes one.
func (f *function) name() map[string]any {
	if f.alias != "" {
		return ref(f.alias)
	}
	return ref(f.id)
}

// arn is the function's (or its alias's) ARN.
func (f *function) arn() any {
	if f.alias != "" {
		return ref(f.alias)
	}
	return getAtt(f.id, "Arn")
}

// subARN is the ARN as a Fn::Sub variable.
func (f *function) subARN() string {
	if f.alias != "" {
		return "${" + f.alias + "}"
	}
	return "${" + f.id + ".Arn}"
}

// resource builds a resource generated for the function.
func (f *function) resource(typ string, props map[string]any) map[string]any {
	return f.attrs.resource(typ, props)
}

// function transforms an AWS::Serverless::Function into an
// AWS::Lambda::Function and what its properties and events ask for.
func (t *transformer) function(id string, raw map[string]any) error {
	props, err := properties(id, typeFunction, raw)
	if err != nil {
		return err
	}
	f := &function{id: id, props: t.globals.apply("Function", props), attrs: attributesOf(raw)}
	props = f.props
	if _, ok := props["CapacityProviderConfig"]; ok {
		t.warn(id, "CapacityProviderConfig is not supported by virga yet and was ignored")
	}
	t.deploymentPreference(f)

	lambda := map[string]any{}
	for _, p := range lambdaFunctionProperties {
		if v, ok := props[p]; ok {
			lambda[p] = clone(v)
		}
	}
	code, err := t.functionCode(f)
	if err != nil {
		return err
	}
	lambda["Code"] = code
	tags, err := t.functionTags(f)
	if err != nil {
		return err
	}
	lambda["Tags"] = tags
	if tr, ok := props["Tracing"]; ok {
		lambda["TracingConfig"] = map[string]any{"Mode": clone(tr)}
	}
	if r, ok := props["Role"]; ok {
		lambda["Role"] = clone(r)
	} else {
		f.role = &role{id: id + "Role"}
		lambda["Role"] = getAtt(f.role.id, "Arn")
		if err := t.startRole(f); err != nil {
			return err
		}
	}
	if dlq, ok := props["DeadLetterQueue"]; ok {
		cfg, err := t.deadLetterQueue(f, dlq)
		if err != nil {
			return err
		}
		lambda["DeadLetterConfig"] = cfg
	}

	if err := t.autoPublishAlias(f, code); err != nil {
		return err
	}
	if err := t.eventInvokeConfig(f); err != nil {
		return err
	}
	if err := t.functionURL(f); err != nil {
		return err
	}
	if err := t.events(f); err != nil {
		return err
	}

	res := f.attrs.mainResource(raw, "AWS::Lambda::Function", lambda)
	if len(f.skipped) > 0 || f.deployment != nil {
		md, _ := res["Metadata"].(map[string]any)
		if md == nil {
			md = map[string]any{}
		}
		virga := map[string]any{}
		if len(f.skipped) > 0 {
			virga["SkippedEvents"] = f.skipped
		}
		if f.deployment != nil {
			virga["DeploymentPreference"] = f.deployment
		}
		md["Virga"] = virga
		res["Metadata"] = md
	}
	if f.role != nil {
		if f.pullEvents {
			res["DependsOn"] = appendDependsOn(res["DependsOn"], f.role.id)
		}
		if err := t.emitRole(f); err != nil {
			return err
		}
	}
	if err := t.add(id, id, res); err != nil {
		return err
	}
	if tags := asMap(props["Tags"]); truthy(props["PropagateTags"]) && len(tags) > 0 {
		t.tagImplicitAPIs(asMap(props["Events"]), tags)
		t.propagateTags(id, tags)
	}
	return nil
}

// appendDependsOn adds id to a DependsOn value.
func appendDependsOn(d any, id string) any {
	switch d := d.(type) {
	case string:
		return []any{d, id}
	case []any:
		return append(d, id)
	}
	return []any{id}
}

// functionCode is the Code property: InlineCode as ZipFile, ImageUri for
// an image, or CodeUri through Options.Code.
func (t *transformer) functionCode(f *function) (map[string]any, error) {
	props := f.props
	if pt, _ := t.resolve(props["PackageType"]); pt == "Image" {
		uri, ok := props["ImageUri"]
		if !ok {
			return nil, resourceError(f.id, "'ImageUri' must be set.")
		}
		return map[string]any{"ImageUri": clone(uri)}, nil
	}
	inline, hasInline := props["InlineCode"]
	uri, hasURI := props["CodeUri"]
	if hasInline == hasURI {
		return nil, resourceError(f.id, "Only one of 'InlineCode' or 'CodeUri' can be set.")
	}
	if hasInline {
		return map[string]any{"ZipFile": clone(inline)}, nil
	}
	code, err := t.location(f.id, "CodeUri", uri, t.opts.Code, "S3Bucket", "S3Key", "S3ObjectVersion")
	if err != nil {
		return nil, err
	}
	if k, ok := props["SourceKMSKeyArn"]; ok {
		code["SourceKMSKeyArn"] = clone(k)
	}
	return code, nil
}

// location turns an artifact URI property (CodeUri, ContentUri,
// DefinitionUri) into an S3 location with the given key names, asking
// hook first.
func (t *transformer) location(id, property string, uri any, hook func(string, any) (map[string]any, error), bucketKey, keyKey, versionKey string) (map[string]any, error) {
	if hook != nil {
		loc, err := hook(id, clone(uri))
		if err != nil {
			return nil, resourceError(id, "%s could not be packaged: %v.", property, err)
		}
		if loc != nil {
			return loc, nil
		}
	}
	bucket, key, version, ok := s3Location(uri)
	if !ok {
		return nil, resourceError(id, "'%s' is not a valid S3 Uri of the form 's3://bucket/key' with optional versionId query parameter.", property)
	}
	loc := map[string]any{bucketKey: bucket, keyKey: key}
	if version != nil {
		loc[versionKey] = version
	}
	return loc, nil
}

// s3Location reads "s3://bucket/key?versionId=v" or {Bucket, Key,
// Version}; the parts of the object form may be intrinsics.
func s3Location(v any) (bucket, key, version any, ok bool) {
	switch v := v.(type) {
	case string:
		u, err := url.Parse(v)
		if err != nil || u.Scheme != "s3" || u.Host == "" || strings.TrimPrefix(u.Path, "/") == "" {
			return nil, nil, nil, false
		}
		bucket, key = u.Host, strings.TrimPrefix(u.Path, "/")
		if ver := u.Query().Get("versionId"); ver != "" {
			version = ver
		}
		return bucket, key, version, true
	case map[string]any:
		b, hasB := v["Bucket"]
		k, hasK := v["Key"]
		if !hasB || !hasK || isIntrinsic(v) {
			return nil, nil, nil, false
		}
		return clone(b), clone(k), clone(v["Version"]), true
	}
	return nil, nil, nil, false
}

// functionTags is the function's Tags: SAM's lambda:createdBy tag, then
// the template's.
func (t *transformer) functionTags(f *function) ([]any, error) {
	tags := map[string]any{}
	if v, ok := f.props["Tags"]; ok {
		m := asMap(v)
		if m == nil {
			return nil, invalidType(f.id, "Tags")
		}
		tags = m
	}
	return tagList([]map[string]any{samTag()}, cloneMap(tags)), nil
}

// startRole adds to a new role the policies the function's properties
// ask for; events add theirs as they are built.
func (t *transformer) startRole(f *function) error {
	r := f.role
	r.addManaged(t.managedPolicyARN("AWSLambdaBasicExecutionRole"))
	if tr, ok := t.resolve(f.props["Tracing"]); ok && tr == "Active" {
		r.addManaged("arn:" + t.partition + ":iam::aws:policy/AWSXrayWriteOnlyAccess")
	}
	if _, ok := f.props["VpcConfig"]; ok {
		r.addManaged(t.managedPolicyARN("AWSLambdaVPCAccessExecutionRole"))
	}
	return t.addPolicies(f.id, r, f.props["Policies"])
}

// emitRole adds the function's generated role.
func (t *transformer) emitRole(f *function) error {
	r := f.role
	assume, ok := f.props["AssumeRolePolicyDocument"]
	if !ok {
		assume = map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Action":    []any{"sts:AssumeRole"},
				"Effect":    "Allow",
				"Principal": map[string]any{"Service": []any{"lambda.amazonaws.com"}},
			}},
		}
	}
	props := map[string]any{
		"AssumeRolePolicyDocument": clone(assume),
		"ManagedPolicyArns":        r.managed,
	}
	if len(r.inline) > 0 {
		props["Policies"] = r.inline
	}
	if b, ok := f.props["PermissionsBoundary"]; ok {
		props["PermissionsBoundary"] = clone(b)
	}
	if p, ok := f.props["RolePath"]; ok {
		props["Path"] = clone(p)
	}
	tags, err := t.functionTags(f)
	if err != nil {
		return err
	}
	props["Tags"] = tags
	return t.add(f.id, r.id, f.resource("AWS::IAM::Role", props))
}

// deadLetterQueue turns SAM's DeadLetterQueue {Type, TargetArn} into
// Lambda's DeadLetterConfig and lets the role send to it.
func (t *transformer) deadLetterQueue(f *function, v any) (map[string]any, error) {
	m := asMap(v)
	if m == nil {
		return nil, invalidType(f.id, "DeadLetterQueue")
	}
	target, ok := m["TargetArn"]
	if !ok {
		return nil, missingProperty(f.id, "DeadLetterQueue.TargetArn")
	}
	typ, _ := t.resolve(m["Type"])
	actions := map[string]string{"SQS": "sqs:SendMessage", "SNS": "sns:Publish"}
	action, ok := actions[typ]
	if !ok {
		// Wording unconfirmed.
		return nil, resourceError(f.id, "'DeadLetterQueue' requires Type of SNS or SQS.")
	}
	if f.role != nil {
		f.role.inline = append(f.role.inline, map[string]any{
			"PolicyName": "DeadLetterQueuePolicy",
			"PolicyDocument": map[string]any{
				"Version":   "2012-10-17",
				"Statement": []any{map[string]any{"Action": action, "Resource": clone(target), "Effect": "Allow"}},
			},
		})
	}
	return map[string]any{"TargetArn": clone(target)}, nil
}

// autoPublishAlias publishes a version of the function, named by a hash
// of its code, and points an alias at it: FUNCTIONVersionHASH and
// FUNCTIONAliasNAME. Events then target the alias.
func (t *transformer) autoPublishAlias(f *function, code map[string]any) error {
	v, ok := f.props["AutoPublishAlias"]
	if !ok {
		if _, ok := f.props["ProvisionedConcurrencyConfig"]; ok {
			// SAM's wording, spelling included.
			return resourceError(f.id, "To set ProvisionedConcurrencyConfig AutoPublishALias must be defined on the function")
		}
		return nil
	}
	name, ok := t.resolve(v)
	if !ok {
		// Wording unconfirmed.
		return resourceError(f.id, "'AutoPublishAlias' must be a string or a Ref to a template parameter.")
	}
	if !isAlphanumeric(name) {
		// Wording unconfirmed: the alias name becomes part of a logical ID.
		return resourceError(f.id, "'AutoPublishAlias' must be alphanumeric.")
	}
	hashed := []any{code, f.props["AutoPublishCodeSha256"]}
	if truthy(f.props["AutoPublishAliasAllProperties"]) {
		hashed = append(hashed, f.props)
		if layers := t.publishedLayers(f.props["Layers"]); layers != nil {
			hashed = append(hashed, layers)
		}
	}
	version := f.id + "Version" + hashOf(hashed...)[:logicalIDHashLength]
	versionProps := map[string]any{"FunctionName": ref(f.id)}
	if d, ok := f.props["VersionDescription"]; ok {
		versionProps["Description"] = clone(d)
	}
	vr := f.resource("AWS::Lambda::Version", versionProps)
	// A published version outlives the stack update that replaces it,
	// so that aliases and callers still pointing at it keep working.
	vr["DeletionPolicy"] = "Retain"
	delete(vr, "UpdateReplacePolicy")
	if err := t.add(f.id, version, vr); err != nil {
		return err
	}
	f.alias, f.aliasName = f.id+"Alias"+name, name
	aliasProps := map[string]any{
		"Name":            name,
		"FunctionName":    ref(f.id),
		"FunctionVersion": getAtt(version, "Version"),
	}
	if pc, ok := f.props["ProvisionedConcurrencyConfig"]; ok {
		aliasProps["ProvisionedConcurrencyConfig"] = clone(pc)
	}
	if err := t.add(f.id, f.alias, f.resource("AWS::Lambda::Alias", aliasProps)); err != nil {
		return err
	}
	t.refs[f.id+".Alias"] = f.alias
	t.refs[f.id+".Version"] = version
	return nil
}

// eventInvokeDestinationTypes are the types of an asynchronous
// invocation destination, in the order SAM's error lists them.
var eventInvokeDestinationTypes = []string{"SQS", "SNS", "EventBridge", "Lambda", "S3Bucket"}

// eventInvokeConfig builds FUNCTIONEventInvokeConfig from
// EventInvokeConfig, creating the queue or topic a destination of type
// SQS or SNS names none of (FUNCTIONEventInvokeConfigOnSuccessQueue, ...,
// the logical IDs AWS's translator gives them).
func (t *transformer) eventInvokeConfig(f *function) error {
	v, ok := f.props["EventInvokeConfig"]
	if !ok {
		return nil
	}
	cfg := asMap(v)
	if cfg == nil {
		return invalidType(f.id, "EventInvokeConfig")
	}
	qualifier := "$LATEST"
	if f.aliasName != "" {
		qualifier = f.aliasName
	}
	props := map[string]any{"FunctionName": ref(f.id), "Qualifier": qualifier}
	for _, k := range []string{"MaximumEventAgeInSeconds", "MaximumRetryAttempts"} {
		if v, ok := cfg[k]; ok {
			props[k] = clone(v)
		}
	}
	if dc, ok := cfg["DestinationConfig"]; ok {
		dests := asMap(dc)
		if dests == nil {
			return invalidType(f.id, "EventInvokeConfig.DestinationConfig")
		}
		out := map[string]any{}
		for _, when := range []string{"OnSuccess", "OnFailure"} {
			d, ok := dests[when]
			if !ok {
				continue
			}
			dest, err := t.destination(f, when, d)
			if err != nil {
				return err
			}
			out[when] = map[string]any{"Destination": dest}
		}
		props["DestinationConfig"] = out
	}
	r := f.resource("AWS::Lambda::EventInvokeConfig", props)
	if f.alias != "" {
		r["DependsOn"] = []any{f.alias}
	}
	return t.add(f.id, f.id+"EventInvokeConfig", r)
}

// destination resolves one asynchronous invocation destination.
func (t *transformer) destination(f *function, when string, v any) (any, error) {
	d := asMap(v)
	if d == nil {
		return nil, invalidType(f.id, "EventInvokeConfig.DestinationConfig."+when)
	}
	typ, _ := t.resolve(d["Type"])
	if !slices.Contains(eventInvokeDestinationTypes, typ) {
		return nil, resourceError(f.id, "'Type: %s' must be one of %s", typ, quotedList(eventInvokeDestinationTypes))
	}
	dest, given := d["Destination"]
	cond, other := t.destinationCondition(f, dest)
	if given && cond == "" {
		dest = clone(dest)
	} else {
		auto, ok := autoDestinations[typ]
		if !ok {
			// Wording unconfirmed.
			return nil, resourceError(f.id, "Destination is required if Type is not SQS or SNS")
		}
		id := f.id + "EventInvokeConfig" + when + auto.suffix
		made := auto.arn(id)
		r := f.resource(auto.resourceType, map[string]any{})
		if c := t.andCondition(f, cond); c != "" {
			r["Condition"] = c
		}
		if err := t.add(f.id, id, r); err != nil {
			return nil, err
		}
		t.refs[f.id+".Destination"+auto.suffix] = id
		dest = made
		if cond != "" {
			dest = map[string]any{"Fn::If": []any{cond, made, other}}
		}
	}
	if f.role != nil {
		f.role.addDestination(f.id+"EventInvokeConfig"+when, typ, dest, false)
	}
	return dest, nil
}

// autoDestinations are the destination types for which SAM creates the
// destination when none is given: the resource's type, the suffix of its
// logical ID (FUNCTIONEventInvokeConfigOnFailureQueue) and of the reference to it
// (FUNCTION.DestinationQueue), and how its ARN is obtained.
var autoDestinations = map[string]struct {
	resourceType, suffix string
	arn                  func(id string) any
}{
	"SQS": {"AWS::SQS::Queue", "Queue", func(id string) any { return getAtt(id, "Arn") }},
	"SNS": {"AWS::SNS::Topic", "Topic", func(id string) any { return ref(id) }},
}

// maxConditionNameLength is the longest condition name SAM generates,
// CloudFormation's limit on a logical ID.
const maxConditionNameLength = 255

// destinationCondition reads a Destination given as Fn::If with
// AWS::NoValue in one branch, as SAM does: the queue or topic SAM creates
// takes the place of the missing branch, under the condition that picks
// it. It returns that condition, named as SAM names the negation it adds
// for a missing second branch, and the other branch; or "" when the
// destination is not such a choice.
func (t *transformer) destinationCondition(f *function, dest any) (string, any) {
	m, _ := dest.(map[string]any)
	args, ok := m["Fn::If"].([]any)
	if !ok || len(args) != 3 {
		return "", nil
	}
	name, ok := args[0].(string)
	if !ok {
		return "", nil
	}
	switch first, second := isNoValue(args[1]), isNoValue(args[2]); {
	case first && second:
		return "", nil
	case first:
		return name, clone(args[2])
	case second:
		// SAM hashes the ID of the EventInvokeConfig here, not the
		// function's (the translator's output for such a template).
		not := generatedConditionName("NOT"+name, f.id+"EventInvokeConfig")
		t.conditions[not] = map[string]any{"Fn::Not": []any{map[string]any{"Condition": name}}}
		return not, clone(args[1])
	}
	return "", nil
}

// andCondition is the condition a resource generated for a destination
// takes: the function's own and cond together, in a condition SAM adds,
// or whichever of the two there is.
func (t *transformer) andCondition(f *function, cond string) string {
	own := f.attrs.conditionName()
	switch {
	case own == "":
		return cond
	case cond == "":
		return own
	}
	name := generatedConditionName(own+"AND"+cond, f.id)
	t.conditions[name] = map[string]any{"Fn::And": []any{map[string]any{"Condition": own}, map[string]any{"Condition": cond}}}
	return name
}

// generatedConditionName names a condition the transform adds as SAM
// does: the name, then the first digits of the SHA-1 of the resource's
// logical ID, within CloudFormation's limit on a condition's name.
func generatedConditionName(name, logicalID string) string {
	sum := sha1.Sum([]byte(logicalID))
	name += hex.EncodeToString(sum[:])[:logicalIDHashLength]
	if len(name) > maxConditionNameLength {
		name = name[:maxConditionNameLength]
	}
	return name
}

// isNoValue reports whether v is a Ref to AWS::NoValue.
func isNoValue(v any) bool {
	m, _ := v.(map[string]any)
	return len(m) == 1 && m["Ref"] == "AWS::NoValue"
}

// functionURL builds FUNCTIONUrl from FunctionUrlConfig and, for a public
// URL (AuthType NONE), the two permissions SAM grants everyone:
// FUNCTIONUrlPublicPermissions (lambda:InvokeFunctionUrl) and
// FUNCTIONURLInvokeAllowPublicAccess (lambda:InvokeFunction through the
// URL).
func (t *transformer) functionURL(f *function) error {
	v, ok := f.props["FunctionUrlConfig"]
	if !ok {
		return nil
	}
	cfg := asMap(v)
	if cfg == nil {
		return invalidType(f.id, "FunctionUrlConfig")
	}
	if err := checkProperties(f.id, "FunctionUrlConfig", cfg, set("AuthType", "Cors", "InvokeMode")); err != nil {
		return err
	}
	authType, ok := cfg["AuthType"]
	if !ok {
		return missingProperty(f.id, "FunctionUrlConfig.AuthType")
	}
	props := map[string]any{"AuthType": clone(authType), "TargetFunctionArn": ref(f.id)}
	for _, k := range []string{"Cors", "InvokeMode"} {
		if v, ok := cfg[k]; ok {
			props[k] = clone(v)
		}
	}
	r := f.resource("AWS::Lambda::Url", props)
	if f.alias != "" {
		props["Qualifier"] = f.aliasName
		r["DependsOn"] = []any{f.alias}
	}
	if err := t.add(f.id, f.id+"Url", r); err != nil {
		return err
	}
	auth, literal := authType.(string)
	if !literal {
		// SAM decides on the literal value only: a parameter that turns
		// out NONE still gets no public permissions.
		t.warn(f.id, "FunctionUrlConfig AuthType is not a literal, so no public invoke permissions were added (as SAM does)")
		return nil
	}
	if auth != "NONE" {
		return nil
	}
	public := map[string]any{
		"Action":              "lambda:InvokeFunctionUrl",
		"FunctionName":        f.name(),
		"FunctionUrlAuthType": "NONE",
		"Principal":           "*",
	}
	if err := t.add(f.id, f.id+"UrlPublicPermissions", f.resource("AWS::Lambda::Permission", public)); err != nil {
		return err
	}
	invoke := map[string]any{
		"Action":                "lambda:InvokeFunction",
		"FunctionName":          f.name(),
		"InvokedViaFunctionUrl": true,
		"Principal":             "*",
	}
	return t.add(f.id, f.id+"URLInvokeAllowPublicAccess", f.resource("AWS::Lambda::Permission", invoke))
}
