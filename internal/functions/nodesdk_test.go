package functions

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestScanSDKImports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"index.mjs":                 `import { S3Client } from "@aws-sdk/client-s3"; import x from './local.js';`,
		"lib/db.js":                 `const { DynamoDBClient } = require('@aws-sdk/client-dynamodb'); require("@aws-sdk/lib-dynamodb/dist-cjs/index.js");`,
		"README.md":                 `"@aws-sdk/client-sqs"`,
		"node_modules/dep/index.js": `require("@aws-sdk/client-kms")`,
		"src/handler.ts":            `import { SNSClient } from "@aws-sdk/client-sns";`,
		"data.json":                 `{"a": "@aws-sdk/client-ec2"}`,
		"lib/not-a-package.js":      `const s = "@aws-sdk";`,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	got := scanSDKImports(dir)
	want := []string{"@aws-sdk/client-dynamodb", "@aws-sdk/client-s3", "@aws-sdk/client-sns", "@aws-sdk/lib-dynamodb"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("scanSDKImports = %v, want %v", got, want)
	}
	// A function that bundles a package keeps its own copy.
	os.MkdirAll(filepath.Join(dir, "node_modules", "@aws-sdk", "client-s3"), 0o755)
	os.WriteFile(filepath.Join(dir, "node_modules", "@aws-sdk", "client-s3", "package.json"), []byte(`{}`), 0o644)
	if !hasPackage(dir, "@aws-sdk/client-s3") || hasPackage(dir, "@aws-sdk/client-sns") {
		t.Error("hasPackage does not see the bundled package")
	}
}

// TestSDKMissingLayers finds the SDK packages a layer's code imports,
// for a function whose own code names none, and leaves out those the
// function or a layer bundles.
func TestSDKMissingLayers(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	files := map[string]string{
		"code/app.mjs":               `import { config } from "/opt/nodejs/config.mjs"; import { S3Client } from "@aws-sdk/client-s3";`,
		"layer1/nodejs/config.mjs":   `import { SSMClient } from "@aws-sdk/client-ssm";`,
		"layer2/nodejs/lib/queue.js": `require("@aws-sdk/client-sqs"); require("@aws-sdk/client-s3");`,
		"layer2/nodejs/node_modules/@aws-sdk/client-sqs/package.json": `{}`,
		"code/node_modules/@aws-sdk/client-s3/package.json":           `{}`,
	}
	for name, body := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	spec := &Spec{CodeDir: filepath.Join(root, "code"), LayerDirs: []string{filepath.Join(root, "layer1"), filepath.Join(root, "layer2")}}
	if got, want := sdkMissing(spec), []string{"@aws-sdk/client-ssm"}; !reflect.DeepEqual(got, want) {
		t.Errorf("sdkMissing = %v, want %v", got, want)
	}
}
