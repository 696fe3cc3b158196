package providers

import (
	"archive/zip"
	"bytes"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// maxInlineSource is the size limit of a function's inline source code
// (Code.ZipFile): "This zip file cannot exceed 4MB", AWS CloudFormation
// says of the archive it makes from it.
const maxInlineSource = 4 << 20

// inlineModTime is the modification time written for inline source, fixed
// so that the same source always makes the same archive, and so the same
// CodeSha256: an update that does not change the source does not change
// the code, and an AWS::Lambda::Version's CodeSha256 can be computed
// from the template.
var inlineModTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// functionCode returns CreateFunction's Code member for an
// AWS::Lambda::Function's Code property: the package the engine gave
// (ZipFileBytes, virga's extension), or an archive made of the inline
// source (ZipFile), in index.py or index.js (with the cfn-response
// module when the source loads it), an S3 location, or a container image (ImageUri).
func functionCode(p props) (map[string]any, error) {
	code := p.obj("Code")
	switch {
	case code == nil:
		return nil, errors.New("AWS::Lambda::Function: the Code property is required")
	case code.has("ZipFileBytes"):
		return packageBytes(code.str("ZipFileBytes"))
	case code.has("ZipFile"):
		archive, err := inlineArchive(p.str("Runtime"), code.str("ZipFile"))
		if err != nil {
			return nil, err
		}
		return map[string]any{"ZipFile": base64.StdEncoding.EncodeToString(archive)}, nil
	case code.has("ImageUri"):
		// A container image function (PackageType Image): Lambda
		// resolves the image in virga's ECR.
		return map[string]any{"ImageUri": code.str("ImageUri")}, nil
	case code.has("S3Bucket"), code.has("S3Key"):
		return s3Location(code), nil
	}
	return nil, errors.New("AWS::Lambda::Function: Code must give ZipFile, S3Bucket and S3Key, or ImageUri")
}

// layerContent returns PublishLayerVersion's Content member for an
// AWS::Lambda::LayerVersion's Content property.
func layerContent(p props) (map[string]any, error) {
	content := p.obj("Content")
	switch {
	case content == nil:
		return nil, errors.New("AWS::Lambda::LayerVersion: the Content property is required")
	case content.has("ZipFileBytes"):
		return packageBytes(content.str("ZipFileBytes"))
	case content.has("S3Bucket"), content.has("S3Key"):
		return s3Location(content), nil
	}
	return nil, errors.New("AWS::Lambda::LayerVersion: Content must give S3Bucket and S3Key")
}

// s3Location passes an S3 location on to Lambda, which reads it from
// virga's S3 (or, for bucket virga-artifacts, from the packages virga
// deploy stores).
func s3Location(p props) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"S3Bucket", "S3Key", "S3ObjectVersion"} {
		if p.has(k) {
			out[k] = p.str(k)
		}
	}
	return out
}

// packageBytes checks a base64-encoded package and returns it as the
// API's ZipFile member.
func packageBytes(b64 string) (map[string]any, error) {
	if _, err := base64.StdEncoding.DecodeString(b64); err != nil {
		return nil, fmt.Errorf("ZipFileBytes is not base64: %w", err)
	}
	return map[string]any{"ZipFile": b64}, nil
}

// inlineArchive makes the deployment package of inline source code.
// AWS CloudFormation writes the source to a file named index (index.js
// for Node.js, which Node.js then loads as a CommonJS module, index.py
// for Python), whatever the handler says: a handler naming another
// module fails at its first invocation with Runtime.ImportModuleError,
// on AWS and here alike, so a template that works here works there.
func inlineArchive(runtime, source string) ([]byte, error) {
	if len(source) > maxInlineSource {
		return nil, fmt.Errorf("the inline source code (Code.ZipFile) is larger than %d bytes", maxInlineSource)
	}
	var ext string
	switch {
	case strings.HasPrefix(runtime, "python"):
		ext = ".py"
	case strings.HasPrefix(runtime, "nodejs"):
		ext = ".js"
	default:
		return nil, fmt.Errorf("inline source code (Code.ZipFile) is only for Node.js and Python runtimes, not %q", runtime)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := []struct{ name, text string }{{"index" + ext, source}}
	switch {
	case ext == ".py" && pythonImportsCfnResponse.MatchString(source):
		files = append(files, struct{ name, text string }{"cfnresponse.py", cfnResponsePython})
	case ext == ".js" && nodeRequiresCfnResponse.MatchString(source):
		files = append(files, struct{ name, text string }{"node_modules/cfn-response/index.js", cfnResponseNode})
	}
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: inlineModTime}
		h.SetMode(0o644)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(f.text)); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// The cfn-response modules: functions whose inline source loads one get
// it in their package, as CloudFormation gives them its own, so that
// they can answer a custom resource's request (custom.go). CloudFormation
// adds the Python module only for the exact statement "import
// cfnresponse"; virga does the same, and adds the Node.js one for
// require('cfn-response'), where the function's require finds it.
var (
	//go:embed cfnresponse/cfnresponse.py
	cfnResponsePython string
	//go:embed cfnresponse/cfn-response.js
	cfnResponseNode string

	pythonImportsCfnResponse = regexp.MustCompile(`(?m)^[ \t]*import cfnresponse[ \t]*(#.*)?\r?$`)
	nodeRequiresCfnResponse  = regexp.MustCompile(`require\(\s*['"]cfn-response['"]\s*\)`)
)
