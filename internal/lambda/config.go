package lambda

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/virga/virga/internal/vpcref"
)

// settings are the configuration members CreateFunction and
// UpdateFunctionConfiguration share; nil means "not given".
type settings struct {
	Runtime           *Runtime
	Role              *string
	Handler           *string
	Description       *string
	Timeout           *int32
	MemorySize        *int32
	VpcConfig         *VpcConfig
	Environment       *Environment
	DeadLetterConfig  *DeadLetterConfig
	KMSKeyArn         *string
	TracingConfig     *TracingConfig
	FileSystemConfigs []FileSystemConfig
	ImageConfig       *ImageConfig
	EphemeralStorage  *EphemeralStorage
	SnapStart         *SnapStart
	LoggingConfig     *LoggingConfig
}

// newConfig is the configuration of a new function before settings.
func (s *Service) newConfig(name string) FunctionConfiguration {
	return FunctionConfiguration{
		FunctionName:     ptr(name),
		FunctionArn:      ptr(s.functionARN(name)),
		Description:      ptr(""),
		Timeout:          ptr(int32(defaultTimeoutSecs)),
		MemorySize:       ptr(int32(defaultMemoryMB)),
		Version:          ptr(latest),
		TracingConfig:    &TracingConfigResponse{Mode: ptr(TracingMode("PassThrough"))},
		PackageType:      ptr(PackageType("Zip")),
		Architectures:    []Architecture{"x86_64"},
		EphemeralStorage: &EphemeralStorage{Size: ptr(int32(defaultEphemeralMB))},
		SnapStart:        &SnapStartResponse{ApplyOn: ptr(SnapStartApplyOn("None")), OptimizationStatus: ptr(SnapStartOptimizationStatus("Off"))},
		LoggingConfig:    &LoggingConfig{LogFormat: ptr(LogFormat("Text")), LogGroup: ptr("/aws/lambda/" + name)},
		State:            ptr(State("Active")),
		LastUpdateStatus: ptr(LastUpdateStatus("Successful")),
	}
}

// apply checks st and sets what it gives on c.
func (s *Service) apply(c *FunctionConfiguration, st settings) error {
	if st.Runtime != nil {
		if err := checkRuntime(*st.Runtime); err != nil {
			return err
		}
		c.Runtime = st.Runtime
		c.RuntimeVersionConfig = &RuntimeVersionConfig{RuntimeVersionArn: ptr(s.runtimeVersionARN(*st.Runtime))}
	}
	if st.Environment != nil {
		if err := checkEnvironment(st.Environment.Variables); err != nil {
			return err
		}
		if len(st.Environment.Variables) == 0 {
			c.Environment = nil
		} else {
			c.Environment = &EnvironmentResponse{Variables: maps.Clone(st.Environment.Variables)}
		}
	}
	if st.Role != nil {
		c.Role = st.Role
	}
	if st.Handler != nil {
		c.Handler = st.Handler
	}
	if st.Description != nil {
		c.Description = st.Description
	}
	if st.Timeout != nil {
		c.Timeout = st.Timeout
	}
	if st.MemorySize != nil {
		c.MemorySize = st.MemorySize
	}
	if st.VpcConfig != nil {
		if len(st.VpcConfig.SubnetIds) == 0 && len(st.VpcConfig.SecurityGroupIds) == 0 {
			c.VpcConfig = nil
		} else {
			vpc, err := s.vpcOf(st.VpcConfig)
			if err != nil {
				return err
			}
			c.VpcConfig = &VpcConfigResponse{SubnetIds: st.VpcConfig.SubnetIds, SecurityGroupIds: st.VpcConfig.SecurityGroupIds, VpcId: ptr(vpc)}
		}
	}
	if st.DeadLetterConfig != nil {
		if deref(st.DeadLetterConfig.TargetArn) == "" {
			c.DeadLetterConfig = nil
		} else {
			c.DeadLetterConfig = st.DeadLetterConfig
		}
	}
	if st.KMSKeyArn != nil {
		if *st.KMSKeyArn == "" {
			c.KMSKeyArn = nil
		} else {
			c.KMSKeyArn = st.KMSKeyArn
		}
	}
	if st.TracingConfig != nil && st.TracingConfig.Mode != nil {
		c.TracingConfig = &TracingConfigResponse{Mode: st.TracingConfig.Mode}
	}
	if st.FileSystemConfigs != nil {
		c.FileSystemConfigs = slices.Clone(st.FileSystemConfigs)
		if len(c.FileSystemConfigs) == 0 {
			c.FileSystemConfigs = nil
		}
	}
	if st.ImageConfig != nil {
		c.ImageConfigResponse = &ImageConfigResponse{ImageConfig: st.ImageConfig}
	}
	if st.EphemeralStorage != nil {
		c.EphemeralStorage = st.EphemeralStorage
	}
	if st.SnapStart != nil && st.SnapStart.ApplyOn != nil {
		c.SnapStart = &SnapStartResponse{ApplyOn: st.SnapStart.ApplyOn, OptimizationStatus: ptr(SnapStartOptimizationStatus("Off"))}
	}
	if lc := st.LoggingConfig; lc != nil {
		out := *c.LoggingConfig
		if lc.LogFormat != nil {
			out.LogFormat = lc.LogFormat
		}
		if lc.LogGroup != nil {
			out.LogGroup = lc.LogGroup
		}
		if lc.ApplicationLogLevel != nil {
			out.ApplicationLogLevel = lc.ApplicationLogLevel
		}
		if lc.SystemLogLevel != nil {
			out.SystemLogLevel = lc.SystemLogLevel
		}
		if deref(out.LogFormat) == "JSON" {
			// JSON logs have levels; Lambda fills in its defaults.
			if out.ApplicationLogLevel == nil {
				out.ApplicationLogLevel = ptr(ApplicationLogLevel("INFO"))
			}
			if out.SystemLogLevel == nil {
				out.SystemLogLevel = ptr(SystemLogLevel("INFO"))
			}
		} else if lc.ApplicationLogLevel != nil || lc.SystemLogLevel != nil {
			return invalidParameter("LogLevel is not supported when LogFormat is set to \"Text\". Remove LogLevel from your request or change the LogFormat to \"JSON\" and try again.")
		} else {
			out.ApplicationLogLevel, out.SystemLogLevel = nil, nil
		}
		c.LoggingConfig = &out
	}
	return nil
}

// envName is the model's pattern for environment variable names, which
// the shape validator does not apply to map keys.
var envName = regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9_])+$`)

// reservedEnv are the variables Lambda sets and a function may not.
var reservedEnv = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
	"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true,
	"AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true, "AWS_LAMBDA_RUNTIME_API": true,
	"LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

// checkEnvironment applies Lambda's rules for environment variables:
// names, reserved names, and 4 KB in all.
func checkEnvironment(vars map[string]string) error {
	names := slices.Sorted(maps.Keys(vars))
	for _, k := range names {
		if !envName.MatchString(k) {
			return ErrValidation.WithMessage("1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: " +
				"Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]")
		}
	}
	var reserved []string
	for _, k := range names {
		if reservedEnv[k] {
			reserved = append(reserved, k)
		}
	}
	if len(reserved) > 0 {
		return invalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided "+
			"contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", strings.Join(reserved, ", "))
	}
	if b, _ := json.Marshal(vars); len(b) > maxEnvBytes {
		return invalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided "+
			"exceeded the 4KB limit. String measured: %s", b)
	}
	return nil
}

// resolveLayers finds the layer versions a function names, in order;
// built has the content of the AWS-published layers among them that
// virga builds (buildAWSLayers). It runs under s.mu.
func (s *Service) resolveLayers(arns []string, built map[string]codeRef) ([]Layer, []codeRef, error) {
	if err := checkLayerARNs(arns); err != nil {
		return nil, nil, err
	}
	if len(arns) > maxLayers {
		return nil, nil, invalidParameter("Cannot reference more than %d layers.", maxLayers)
	}
	var out []Layer
	var refs []codeRef
	byLayer := map[string]string{}
	for _, arn := range arns {
		if parts := strings.Split(arn, ":"); len(parts) > 3 && parts[3] != s.region && parts[3] != "" {
			return nil, nil, invalidParameter("Layers are not in the same region as the function. Layers are expected to be in region %s.", s.region)
		}
		switch kind := s.awsLayer(arn); kind {
		case builtinLayer, builtLayer:
			// AWS's layer: virga serves what it does, with no package,
			// or the content it built.
			name := arn[:strings.LastIndexByte(arn, ':')]
			if prev, dup := byLayer[name]; dup {
				return nil, nil, invalidParameter("Two different versions of the same layer are not allowed to be referenced in the same function. %s and %s are versions of the same layer.", prev, arn)
			}
			byLayer[name] = arn
			if kind == builtinLayer {
				out = append(out, Layer{Arn: ptr(arn), CodeSize: ptr(int64(0))})
				continue
			}
			ref, ok := built[arn]
			if !ok {
				return nil, nil, fmt.Errorf("lambda: layer %s was not built", arn)
			}
			out = append(out, Layer{Arn: ptr(arn), CodeSize: ptr(ref.Size)})
			refs = append(refs, ref)
			continue
		case unavailableLayer:
			return nil, nil, invalidParameter("Layer version %s is published by AWS, and virga has no copy of its content: "+
				"add the package to the function's deployment package, or publish it as a layer of this account and reference that layer.", arn)
		}
		name, n, ok := s.parseLayerVersionARN(arn)
		var lv *layerVersion
		if ok {
			if l := s.layers[name]; l != nil {
				lv = l.version(n)
			}
		}
		if lv == nil {
			return nil, nil, invalidParameter("Layer version %s does not exist.", arn)
		}
		if prev, dup := byLayer[name]; dup {
			return nil, nil, invalidParameter("Two different versions of the same layer are not allowed to be referenced in the same function. %s and %s are versions of the same layer.", prev, arn)
		}
		byLayer[name] = arn
		out = append(out, Layer{Arn: ptr(arn), CodeSize: ptr(lv.Code.Size)})
		refs = append(refs, lv.Code)
	}
	return out, refs, nil
}

// layerVersionARNPattern is the model's pattern for an element of a
// function's Layers, which Lambda's request validation applies (Go's
// validation of the generated shapes checks members, not list elements).
const layerVersionARNPattern = `(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)`

var layerVersionARN = regexp.MustCompile(`^(?:` + layerVersionARNPattern + `)$`)

// checkLayerARNs refuses a Layers list with an element that is not a
// layer version ARN, worded as Lambda's validation reports a list
// element: on the list, with all the element's constraints.
func checkLayerARNs(arns []string) error {
	for _, a := range arns {
		if len(a) < 1 || len(a) > 140 || !layerVersionARN.MatchString(a) {
			return ErrValidation.Withf("1 validation error detected: Value '[%s]' at 'layers' failed to satisfy constraint: "+
				"Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have length greater than or equal to 1, "+
				"Member must satisfy regular expression pattern: %s, Member must not be null]", strings.Join(arns, ", "), layerVersionARNPattern)
		}
	}
	return nil
}

// checkUnzipped refuses code whose package and layers together are too
// large unzipped.
func checkUnzipped(code codeRef, layers []codeRef) error {
	total := code.Unzipped
	for _, l := range layers {
		total += l.Unzipped
	}
	if len(layers) > 0 && total > maxUnzipped {
		return invalidParameter("Function code combined with layers exceeds the maximum allowed size of %d bytes. The actual size is %d bytes.", maxUnzipped, total)
	}
	return nil
}

// copyTags returns a copy of tags, nil when there are none.
func copyTags(tags map[string]string) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	return maps.Clone(tags)
}

// vpcOf checks a VpcConfig's subnets and security groups against EC2's
// records, and that the subnets are in one VPC and the groups in it, and returns
// that VPC (virga runs functions on the host whatever their VpcConfig
// says).
func (s *Service) vpcOf(vc *VpcConfig) (string, error) {
	if len(vc.SubnetIds) == 0 || len(vc.SecurityGroupIds) == 0 {
		return "", invalidParameter("SubnetIds and SecurityIds must coexist or be both empty list.")
	}
	placed, err := vpcref.Check(s.subnets, vc.SubnetIds, vc.SecurityGroupIds)
	var missing *vpcref.NotFoundError
	if errors.As(err, &missing) {
		return "", invalidParameter("Error occurred while %s. EC2 Error Code: %s. EC2 Error Message: %s", missing.Operation(), missing.Code(), missing)
	}
	if err != nil {
		return "", err
	}
	// Wording unconfirmed: Lambda's answer to subnets of two VPCs, in
	// the words of its answer to a group outside the subnets' VPC.
	if _, ok := placed.ForeignSubnet(); ok {
		return "", invalidParameter("Subnets are required to be in the same VPC.")
	}
	if _, ok := placed.ForeignGroup(); ok {
		return "", invalidParameter("Security Groups are required to be in the same VPC.")
	}
	return placed.VpcID(), nil
}
