package lambda

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/pkginstall"
)

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
	// builtLayer: virga builds the layer's content from the public
	// package registries (buildAWSLayer).
	builtLayer
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
		if _, ok := parsePowertools(arn); ok {
			return builtLayer
		}
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

// powertools is a Powertools for AWS Lambda layer version, as its ARN
// tells: the language, and the major version of the packages it ships.
type powertools struct {
	name    string // AWSLambdaPowertoolsPythonV3-python312-x86_64
	version int64  // the layer's version number
	python  bool   // Python; TypeScript otherwise
	major   int    // 1 for the names without V<n>
}

// powertoolsName matches Powertools' layer names:
// AWSLambdaPowertoolsPython (1.x), AWSLambdaPowertoolsPythonV2 and
// AWSLambdaPowertoolsPythonV2-Arm64, AWSLambdaPowertoolsPythonV3-
// python312-x86_64 (one per Python version and architecture), and
// AWSLambdaPowertoolsTypeScript (1.x) and AWSLambdaPowertoolsTypeScriptV2.
var powertoolsName = regexp.MustCompile(`^AWSLambdaPowertools(?:(Python)(?:V([1-9][0-9]?))?(?:-[A-Za-z0-9_-]+)?|TypeScript(?:V([1-9][0-9]?))?)$`)

// parsePowertools reads a Powertools layer version ARN.
func parsePowertools(arn string) (powertools, bool) {
	parts := strings.Split(arn, ":")
	if len(parts) != 8 {
		return powertools{}, false
	}
	m := powertoolsName.FindStringSubmatch(parts[6])
	n, err := strconv.ParseInt(parts[7], 10, 64)
	if m == nil || err != nil || n < 1 {
		return powertools{}, false
	}
	p := powertools{name: parts[6], version: n, python: m[1] != "", major: 1}
	if v := m[2] + m[3]; v != "" {
		p.major, _ = strconv.Atoi(v)
	}
	return p, true
}

// powertoolsTypeScript are the packages Powertools' TypeScript layers
// ship, by major version.
var powertoolsTypeScript = map[int][]string{
	1: {"commons", "logger", "metrics", "tracer", "parameters", "idempotency", "batch"},
	2: {"commons", "logger", "metrics", "tracer", "parameters", "idempotency", "batch", "jmespath", "parser"},
}

// packages is what is installed for the layer: with pip, the
// aws-lambda-powertools distribution with the extras the layer ships;
// with npm, the @aws-lambda-powertools packages. The layer's version
// number cannot be mapped to a release without AWS's table, so each is
// the newest release of the layer's major version.
func (p powertools) packages() []string {
	if p.python {
		extras := "all"
		if p.major == 1 {
			extras = "pydantic"
		}
		return []string{fmt.Sprintf("aws-lambda-powertools[%s]==%d.*", extras, p.major)}
	}
	names, ok := powertoolsTypeScript[p.major]
	if !ok {
		names = powertoolsTypeScript[2]
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("@aws-lambda-powertools/%s@%d", n, p.major)
	}
	return out
}

// awsLayerBuildLimit bounds one layer build (the registry's downloads
// and the installer's work).
const awsLayerBuildLimit = 5 * time.Minute

// awsLayerDir is where the content built for a layer version is kept:
// DataDir/lambda/awslayers/<name>-<version>, mounted at /opt.
func (s *Service) awsLayerDir(p powertools) string {
	return filepath.Join(filepath.Dir(s.codeRoot), "awslayers", fmt.Sprintf("%s-%d", p.name, p.version))
}

// buildAWSLayer returns the content of an AWS-published layer version
// that virga builds (builtLayer), building it on first use: the
// packages the layer ships are installed from the public registries
// with the pip of the interpreter that runs Python functions (into
// python/) or npm (into nodejs/node_modules). Every function using the
// layer version shares one build; concurrent first uses build it once.
// A build that failed is refused without the installer for
// pkginstall.RetryAfter, as the Node SDK's packages are: the
// registry's answer rarely changes in minutes, and a function whose
// built content is gone has the layer built again at each invocation.
// The reference's Size and Unzipped are the content's size.
func (s *Service) buildAWSLayer(ctx context.Context, arn string) (codeRef, string, error) {
	p, ok := parsePowertools(arn)
	if !ok {
		return codeRef{}, "", fmt.Errorf("lambda: %s is not a layer virga builds", arn)
	}
	dir := s.awsLayerDir(p)
	ref := codeRef{AWSLayer: arn}
	if n, err := readUnzippedSize(dir); err == nil {
		ref.Size, ref.Unzipped = n, n
		return ref, dir, nil
	}
	defer s.extracts.lock("awslayer/" + filepath.Base(dir))()
	if n, err := readUnzippedSize(dir); err == nil {
		ref.Size, ref.Unzipped = n, n
		return ref, dir, nil
	}
	what := strings.Join(p.packages(), " ")
	unfetchable := func(err error) error {
		return invalidParameter("Layer version %s is published by AWS, and virga builds its content from the public package registry, "+
			"but could not fetch %s: %v", arn, what, err)
	}
	if err := s.layerBuilds.Refused(what); err != nil {
		return codeRef{}, "", unfetchable(err)
	}
	// The build outlives a caller that gives up: the next one finds it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), awsLayerBuildLimit)
	defer cancel()
	tmp := dir + ".tmp-" + s.ids.Hex(6)
	var err error
	if p.python {
		var python string
		if python, err = s.fns.Python(); err == nil {
			err = pkginstall.Pip(ctx, python, filepath.Join(tmp, "python"), nil, p.packages()...)
		}
	} else {
		err = pkginstall.NPM(ctx, "npm", filepath.Join(tmp, "nodejs"), nil, append([]string{"--no-package-lock", "--loglevel", "error"}, p.packages()...)...)
	}
	if err != nil {
		os.RemoveAll(tmp)
		s.layerBuilds.Record(what, err)
		return codeRef{}, "", unfetchable(err)
	}
	n, err := treeSize(tmp)
	if err == nil {
		err = commitDir(tmp, dir, n)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return codeRef{}, "", fmt.Errorf("lambda: building layer %s: %w", arn, err)
	}
	ref.Size, ref.Unzipped = n, n
	return ref, dir, nil
}

// buildAWSLayers builds the content of the layers among arns that virga
// builds, before a function referencing them is created or changed (so
// that a registry out of reach fails the request that named the layer,
// not a later invocation). It runs without s.mu: a build can take
// minutes.
func (s *Service) buildAWSLayers(ctx context.Context, arns []string) (map[string]codeRef, error) {
	if checkLayerARNs(arns) != nil || len(arns) > maxLayers {
		return nil, nil // resolveLayers refuses them
	}
	built := map[string]codeRef{}
	for _, arn := range arns {
		if s.awsLayer(arn) != builtLayer || strings.Split(arn, ":")[3] != s.region {
			continue
		}
		ref, _, err := s.buildAWSLayer(ctx, arn)
		if err != nil {
			return nil, err
		}
		built[arn] = ref
	}
	return built, nil
}

// awsLayerVersionOutput is GetLayerVersion's answer for a layer version
// virga builds. Content.CodeSize is the built content's size on disk,
// not the size of a zip archive; there is no archive to download, so
// there is no Location or CodeSha256.
func (s *Service) awsLayerVersionOutput(ctx context.Context, arn string) (*GetLayerVersionResponse, error) {
	ref, _, err := s.buildAWSLayer(ctx, arn)
	if err != nil {
		return nil, err
	}
	p, _ := parsePowertools(arn)
	lang := "TypeScript"
	if p.python {
		lang = "Python"
	}
	return &GetLayerVersionResponse{
		Content:                 &LayerVersionContentOutput{CodeSize: ptr(ref.Size)},
		LayerArn:                ptr(arn[:strings.LastIndexByte(arn, ':')]),
		LayerVersionArn:         ptr(arn),
		Description:             ptr(fmt.Sprintf("Powertools for AWS Lambda (%s) %d.x, built by virga from %s", lang, p.major, strings.Join(p.packages(), " "))),
		Version:                 ptr(p.version),
		CompatibleRuntimes:      []Runtime{},
		CompatibleArchitectures: []Architecture{},
	}, nil
}

// treeSize is the size of the regular files under dir.
func treeSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	return n, err
}
