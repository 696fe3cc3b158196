package functions

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// reservedEnv are the variables AWS reserves: a function's configuration
// cannot set them ("Defined runtime environment variables").
var reservedEnv = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true,
	"AWS_LAMBDA_LOG_GROUP_NAME": true, "AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true,
	"AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true,
	"AWS_LAMBDA_RUNTIME_API": true, "LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

// envPaths are the directories the runtime sees (see sandbox.Layout).
type envPaths struct {
	taskRoot, runtimeDir, optDir string
	interpreterDir               string // the host interpreter's bin directory, for PATH
	// xrayDaemon is the X-Ray daemon's host:port, or empty.
	xrayDaemon string
	// caFile and caBundle are virga's certificate authority and the
	// system's roots with it (Options.CAFile, CABundleFile), as the
	// process sees them; empty when virga has none.
	caFile, caBundle string
}

// Where sandboxed environments see Options.CAFile and CABundleFile.
const (
	sandboxCAFile   = "/var/virga/ca.pem"
	sandboxCABundle = "/var/virga/bundle.pem"
)

// environ builds the environment as Lambda sets it, then the user's
// variables (which may override the unreserved ones: PATH, LANG, TZ,
// LD_LIBRARY_PATH, NODE_PATH, PYTHONPATH, ...).
func environ(spec *Spec, rt runtimeInfo, p envPaths, apiAddr, logGroup, logStream, initType string, creds Credentials) []string {
	region := spec.Region
	if region == "" {
		region = "us-east-1"
	}
	opt := func(sub string) string { return under(p.optDir, sub) }
	// PATH as on AWS; /var/lang/bin (where AWS keeps python, node, ruby) is
	// the host interpreter's directory.
	path := []string{"/usr/local/bin", "/usr/bin/", "/bin", opt("/bin")}
	if p.interpreterDir != "" && rt.kind != kindProvided && rt.kind != kindGo {
		path = append([]string{p.interpreterDir}, path...)
	}
	ldPath := []string{"/lib64", "/usr/lib64", p.runtimeDir, under(p.runtimeDir, "/lib"), p.taskRoot, under(p.taskRoot, "/lib"), opt("/lib")}

	env := []string{
		"AWS_LAMBDA_FUNCTION_NAME=" + spec.FunctionName,
		"AWS_LAMBDA_FUNCTION_VERSION=" + orString(spec.Version, "$LATEST"),
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(orInt(spec.MemoryMB, 128)),
		"AWS_LAMBDA_LOG_GROUP_NAME=" + logGroup,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + logStream,
		"AWS_LAMBDA_INITIALIZATION_TYPE=" + initType,
		"AWS_REGION=" + region,
		"AWS_DEFAULT_REGION=" + region,
		"_HANDLER=" + spec.Handler,
		"LAMBDA_TASK_ROOT=" + p.taskRoot,
		"LAMBDA_RUNTIME_DIR=" + p.runtimeDir,
		"AWS_LAMBDA_RUNTIME_API=" + apiAddr,
		"TZ=:UTC",
		"LANG=en_US.UTF-8",
		"PATH=" + joinNonEmpty(path),
		"LD_LIBRARY_PATH=" + joinNonEmpty(ldPath),
		"AWS_XRAY_CONTEXT_MISSING=LOG_ERROR",
	}
	// The X-Ray SDKs send segments to the daemon Lambda runs beside every
	// function; like AWS_XRAY_CONTEXT_MISSING, a function may override it.
	if p.xrayDaemon != "" {
		env = append(env, "AWS_XRAY_DAEMON_ADDRESS="+p.xrayDaemon)
	}
	// With JSON logs Lambda tells the runtime the format and the
	// application log level, which the runtimes (and libraries such as
	// Powertools for AWS Lambda) configure their loggers from.
	if spec.LogFormat == LogFormatJSON {
		env = append(env, "AWS_LAMBDA_LOG_FORMAT="+LogFormatJSON,
			"AWS_LAMBDA_LOG_LEVEL="+strings.ToUpper(orString(spec.ApplicationLogLevel, "INFO")))
	}
	// Custom runtimes (provided*) have no AWS_EXECUTION_ENV on AWS.
	if rt.kind != kindProvided {
		env = append(env, "AWS_EXECUTION_ENV=AWS_Lambda_"+rt.id)
	}
	switch rt.kind {
	case kindPython:
		env = append(env, "PYTHONPATH="+p.runtimeDir)
	case kindNode:
		env = append(env,
			"NODE_PATH="+joinNonEmpty([]string{opt("/nodejs/node" + rt.version + "/node_modules"), opt("/nodejs/node_modules"),
				under(p.runtimeDir, "/node_modules"), p.runtimeDir, p.taskRoot}),
			"AWS_NODEJS_CONNECTION_REUSE_ENABLED=1")
		// The AWS SDK for JavaScript warns, at a function's first client,
		// when node is older than the versions it will support; on AWS a
		// nodejs22.x function runs node 22 and never sees that warning.
		// When the host's node is older than the runtime the function
		// names, the warning is virga's doing, not the function's: it
		// is turned off.
		if olderMajor(rt.host, rt.version) {
			env = append(env, "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true")
		}
	case kindRuby:
		// As Lambda sets them: gems from the function's vendor/bundle,
		// the layers' ruby/gems and the runtime; code from the task root,
		// the runtime's lib and the layers' ruby/lib. Gem directories are
		// named by Ruby's ABI version (3.3.0 for ruby3.3); those of the
		// host's ruby, which installs and loads them, come first, then the
		// runtime's own when they differ (a bundle made with that Ruby).
		var gems []string
		for _, v := range rubyABIs(rt) {
			gems = append(gems, under(p.taskRoot, "/vendor/bundle/ruby/"+v), opt("/ruby/gems/"+v))
		}
		gems = append(gems, p.runtimeDir)
		for _, v := range rubyABIs(rt) {
			gems = append(gems, under(p.runtimeDir, "/ruby/"+v))
		}
		env = append(env,
			"GEM_HOME="+p.runtimeDir,
			"GEM_PATH="+joinNonEmpty(gems),
			"RUBYLIB="+joinNonEmpty([]string{p.taskRoot, under(p.runtimeDir, "/lib"), opt("/ruby/lib")}))
	}
	if creds.AccessKeyID != "" {
		env = append(env, "AWS_ACCESS_KEY_ID="+creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+creds.SecretAccessKey)
		if creds.SessionToken != "" {
			env = append(env, "AWS_SESSION_TOKEN="+creds.SessionToken)
		}
	}
	if spec.Endpoint != "" {
		env = append(env, "AWS_ENDPOINT_URL="+spec.Endpoint)
	}
	// HTTPS to virga (https://ID.execute-api.localhost:PORT/STAGE, the
	// API Gateway Management API's endpoint that WebSocket functions
	// build from their event): the SDKs trust virga's authority. A
	// function may override either.
	if p.caBundle != "" {
		env = append(env, "AWS_CA_BUNDLE="+p.caBundle)
	}
	if p.caFile != "" {
		env = append(env, "NODE_EXTRA_CA_CERTS="+p.caFile)
	}
	if len(spec.Env) == 0 {
		return env
	}
	// The user's variables: set after AWS's, replacing unreserved ones.
	index := make(map[string]int, len(env))
	for i, kv := range env {
		index[kv[:strings.IndexByte(kv, '=')]] = i
	}
	keys := make([]string, 0, len(spec.Env))
	for k := range spec.Env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if reservedEnv[k] || k == "" || strings.ContainsAny(k, "=\x00") {
			continue
		}
		kv := k + "=" + spec.Env[k]
		if i, ok := index[k]; ok {
			env[i] = kv
		} else {
			env = append(env, kv)
		}
	}
	return env
}

// under is base+sub, or "" without a base.
func under(base, sub string) string {
	if base == "" {
		return ""
	}
	return base + sub
}

func joinNonEmpty(parts []string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ":")
}

func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// interpreterDir is the directory of the interpreter binary.
func interpreterDir(path string) string {
	if path == "" {
		return ""
	}
	return filepath.Dir(path)
}

// langBin is where AWS's runtimes keep their interpreters (PATH has it
// first), which scripts' #! lines name: the AWS CLI that the AWS CDK's
// BucketDeployment runs from a layer starts with #!/var/lang/bin/python.
const langBin = "/var/lang/bin"

// langLinks are the links a sandbox gets in langBin to the host
// interpreter of a runtime of kind: python and python3, node, ruby.
func langLinks(kind runtimeKind, interp string) map[string]string {
	if interp == "" {
		return nil
	}
	var names []string
	switch kind {
	case kindPython:
		names = []string{"python", "python3"}
	case kindNode:
		names = []string{"node"}
	case kindRuby:
		names = []string{"ruby"}
	}
	links := make(map[string]string, len(names))
	for _, n := range names {
		links[langBin+"/"+n] = interp
	}
	return links
}

// rubyABIs are the ABI versions ("3.1.0") whose gem directories a Ruby
// function's GEM_PATH names: the host ruby's, then the runtime's when it
// differs.
func rubyABIs(rt runtimeInfo) []string {
	var out []string
	for _, v := range []string{rt.host, rt.version} {
		if v == "" {
			continue
		}
		if abi := v + ".0"; !slices.Contains(out, abi) {
			out = append(out, abi)
		}
	}
	return out
}

// olderMajor says whether the major version host is below want's ("20"
// and "22"; "20.1" and "22"): false when either is not a number.
func olderMajor(host, want string) bool {
	h, err1 := strconv.Atoi(strings.SplitN(host, ".", 2)[0])
	w, err2 := strconv.Atoi(strings.SplitN(want, ".", 2)[0])
	return err1 == nil && err2 == nil && h < w
}
