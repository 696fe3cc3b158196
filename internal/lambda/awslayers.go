package lambda

import "strings"

// Layers AWS publishes in accounts of its own, which functions reference
// by ARN and virga cannot download.
const (
	// paramsSecretsLayer and its arm64 twin are the AWS Parameters and
	// Secrets Lambda Extension, published in a different account in each
	// region; virga provides the extension itself (package
	// functions/paramsecrets).
	paramsSecretsLayer      = "AWS-Parameters-and-Secrets-Lambda-Extension"
	paramsSecretsLayerArm64 = "AWS-Parameters-and-Secrets-Lambda-Extension-Arm64"
	// powertoolsPrefix names Powertools for AWS Lambda's layers
	// (AWSLambdaPowertoolsPythonV3-python312-x86_64,
	// AWSLambdaPowertoolsTypeScriptV2, ...), published in accounts
	// 017000801446 (Python) and 094274105915 (TypeScript), among others.
	powertoolsPrefix = "AWSLambdaPowertools"
)

// awsLayerKind says what virga makes of an AWS-published layer.
type awsLayerKind uint8

const (
	notAWSLayer awsLayerKind = iota
	// builtinLayer: virga provides what the layer does.
	builtinLayer
	// unavailableLayer: virga has no copy of the layer's content.
	unavailableLayer
)

// powertoolsAccounts publish Powertools for AWS Lambda's layers.
var powertoolsAccounts = map[string]bool{"017000801446": true, "094274105915": true}

// awsLayer classifies a layer version ARN of another account.
func (s *Service) awsLayer(arn string) awsLayerKind {
	parts := strings.Split(arn, ":")
	if len(parts) != 8 || parts[2] != "lambda" || parts[5] != "layer" || parts[4] == s.account {
		return notAWSLayer
	}
	switch name := parts[6]; {
	case name == paramsSecretsLayer || name == paramsSecretsLayerArm64:
		return builtinLayer
	case strings.HasPrefix(name, powertoolsPrefix) || powertoolsAccounts[parts[4]]:
		return unavailableLayer
	}
	return notAWSLayer
}

// usesParamsSecrets reports whether a function's layers include the AWS
// Parameters and Secrets Lambda Extension.
func (s *Service) usesParamsSecrets(layers []Layer) bool {
	for _, l := range layers {
		if s.awsLayer(deref(l.Arn)) == builtinLayer {
			return true
		}
	}
	return false
}
