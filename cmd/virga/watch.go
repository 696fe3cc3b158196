package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/virga/virga/internal/cfn/template"
)

// watch deploys a template, then looks at its sources every interval
// until ctx ends: when a function's code changes, the function alone is
// rebuilt and its code updated (the next invocation runs it); when the
// template changes, the stack is deployed again.
func watch(ctx context.Context, f deployFlags, out io.Writer, interval time.Duration) error {
	// A template saved again without a change is nothing to fail on,
	// whatever the SAM configuration says.
	set := map[string]bool{"fail-on-empty-changeset": true}
	for k, v := range f.set {
		set[k] = set[k] || v
	}
	f.failOnEmpty, f.set = false, set
	if err := deploy(ctx, f, out, out); err != nil {
		fmt.Fprintln(out, "virga up -t: deploy failed:", err)
	}
	abs, _ := filepath.Abs(f.template)
	if f.stack == "" {
		f.stack = sanitizeStackName(filepath.Base(filepath.Dir(abs)))
	}
	cfg := aws.Config{Region: f.region, BaseEndpoint: aws.String(f.endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	cf, lc := cloudformation.NewFromConfig(cfg), lambda.NewFromConfig(cfg)
	tmplStamp := stamp(abs)
	locs, stamps := watched(abs)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if s := stamp(abs); s != tmplStamp {
			tmplStamp = s
			fmt.Fprintln(out, "virga up -t: the template changed; deploying")
			if err := deploy(ctx, f, out, out); err != nil {
				fmt.Fprintln(out, "virga up -t: deploy failed:", err)
			}
			locs, stamps = watched(abs)
			continue
		}
		for i, c := range locs {
			s := stamp(c.dir)
			if s == stamps[i] {
				continue
			}
			stamps[i] = s
			if err := reload(ctx, f, c, cf, lc, out); err != nil {
				fmt.Fprintf(out, "virga up -t: %s: %v\n", c.logicalID, err)
			}
		}
	}
}

// watched lists a template's function code locations and their stamps.
func watched(templatePath string) ([]codeLocation, []string) {
	body, err := os.ReadFile(templatePath)
	if err != nil {
		return nil, nil
	}
	t, _, err := template.ParseKeepingLastKey(body)
	if err != nil {
		return nil, nil
	}
	var locs []codeLocation
	var stamps []string
	for _, c := range findCode(t.Tree, filepath.Dir(templatePath)) {
		if c.runtime == "" { // a layer: the template's next deploy takes it
			continue
		}
		locs = append(locs, c)
		stamps = append(stamps, stamp(c.dir))
	}
	return locs, stamps
}

// reload rebuilds one function and updates its code in place.
func reload(ctx context.Context, f deployFlags, c codeLocation, cf *cloudformation.Client, lc *lambda.Client, out io.Writer) error {
	res, err := cf.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: &f.stack, LogicalResourceId: &c.logicalID})
	if err != nil {
		return apiError(err)
	}
	zip, _, err := build(ctx, c, out)
	if err != nil {
		return err
	}
	key, err := upload(ctx, f.endpoint, zip)
	if err != nil {
		return err
	}
	name := aws.ToString(res.StackResourceDetail.PhysicalResourceId)
	if _, err := lc.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: &name,
		S3Bucket: aws.String(artifactBucket), S3Key: &key}); err != nil {
		return apiError(err)
	}
	fmt.Fprintf(out, "virga up -t: updated %s (%s)\n", c.logicalID, name)
	return nil
}

// stamp summarizes a file or a tree's files: count, total size and the
// latest modification, enough to notice an edit.
func stamp(path string) string {
	var n, size int64
	var latest time.Time
	filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == ".aws-sam") {
			return filepath.SkipDir
		}
		if info, err := d.Info(); err == nil && !d.IsDir() {
			n++
			size += info.Size()
			if info.ModTime().After(latest) {
				latest = info.ModTime()
			}
		}
		return nil
	})
	return fmt.Sprintf("%d/%d/%d", n, size, latest.UnixNano())
}
