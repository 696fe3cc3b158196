package apigatewayv2

import (
	"regexp"
	"strings"
)

// A Lambda proxy integration names its function in one of two ways:
//
//	arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
//	arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations
//
// Either may use stage variables, ${stageVariables.NAME}, which are
// replaced by the stage's values when a request is served.

var (
	lambdaARN     = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[^:/\s]+(:[^:/\s]+)?$`)
	invocationARN = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/(.+)/invocations$`)
	stageVariable = regexp.MustCompile(`\$\{stageVariables\.([A-Za-z0-9_]+)\}`)
)

// lambdaFunction returns the function ARN a Lambda integration's URI (or
// quick create target, or authorizer URI) names.
func lambdaFunction(uri string) (string, bool) {
	if m := invocationARN.FindStringSubmatch(uri); m != nil {
		uri = m[1]
	}
	if !lambdaARN.MatchString(uri) {
		return "", false
	}
	return uri, true
}

// isLambdaTarget reports whether uri names a Lambda function.
func isLambdaTarget(uri string) bool {
	_, ok := lambdaFunction(uri)
	return ok
}

// withStageVariables replaces the stage variables s refers to with their
// values; an undefined variable becomes empty.
func withStageVariables(s string, vars map[string]string) string {
	if !strings.Contains(s, "${stageVariables.") {
		return s
	}
	return stageVariable.ReplaceAllStringFunc(s, func(ref string) string {
		return vars[stageVariable.FindStringSubmatch(ref)[1]]
	})
}
