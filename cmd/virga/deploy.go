package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/virga/virga/internal/cfn/template"
	"github.com/virga/virga/internal/lambda"
)

// artifactBucket is where virga deploy's packages live (internal/artifacts).
const artifactBucket = "virga-artifacts"

type deployFlags struct {
	template  string
	stack     string
	params    []string
	endpoint  string
	region    string
	noExecute bool
	tags      []string
	// confirm asks before executing the change set, as sam deploy's
	// --confirm-changeset; in answers, interactive when it is a terminal
	// (or a reader a test gives).
	confirm, disableRollback bool
	// noConfirm (--no-confirm-changeset) executes without asking,
	// whatever the SAM configuration says; guided (--guided) is sam
	// deploy's questions, which virga deploy does not ask.
	noConfirm, guided bool
	// failOnEmpty makes a deploy with nothing to change an error, as
	// sam deploy's default (--no-fail-on-empty-changeset turns it off).
	failOnEmpty bool
	in          io.Reader
	interactive bool
	// configFile and configEnv name the SAM configuration (samconfig.toml)
	// and its environment; set records the flags given on the command
	// line, which win over it.
	configFile, configEnv string
	set                   map[string]bool
}

func newDeployCommand() *cobra.Command {
	var f deployFlags
	var noFailOnEmpty bool
	cmd := &cobra.Command{
		Use:   "deploy",
		Short: "Build, package and deploy a SAM or CloudFormation template",
		Long: `Build each function of a template as sam build would, store the packages in
virga, and create or update the stack through a change set, showing its events
until it is done; then print its outputs.

Go functions are built with go build (GOOS=linux, CGO_ENABLED=0) into a
bootstrap, also where CodeUri is a directory of a module whose go.mod is
above it, or with the Makefile's build-LOGICALID target for BuildMethod
makefile (a makefile function whose CodeUri has Go code but no Makefile
is built with go build); Rust functions (BuildMethod rust-cargolambda) with cargo build
--release, their binary (or BuildProperties' Binary) becoming bootstrap;
Python functions get requirements.txt installed with pip (or, when
pip cannot install it, the host python3's copies of the packages it names
and of what they import); Ruby functions
get their Gemfile installed with bundler into vendor/bundle (or, without
bundler or the gems' source, use the host's gems); Node.js
functions get their production dependencies with npm, or, for BuildMethod
esbuild, are bundled by esbuild (the project's, from npm, or the host's) with
the options of Metadata.BuildProperties. A layer whose BuildMethod names a
Python or Node.js runtime is built as that runtime's function, into its
python/ or nodejs/ directory. Java functions deploy a jar or a
directory of compiled classes (jars under lib/) as they are: virga deploy does
not run Maven or Gradle, and a CodeUri with a pom.xml or build.gradle fails
with a message that says so. Functions that run an executable
(provided.*, go1.x) are built for this machine and deployed with its
architecture, whatever Architectures the template declares, since virga runs
them natively; a Makefile's go commands build for it too. AWS::Include
transforms whose Location is a local file are replaced by the file's content,
as sam deploy uploads it and CloudFormation includes it; a SAM API's local
DefinitionUri becomes its DefinitionBody. A nested application
(AWS::Serverless::Application) or stack (AWS::CloudFormation::Stack) whose
Location or TemplateURL is a local template file has that template built and
packaged the same way, then stored in virga's S3 (bucket virga-artifacts),
its URL taking the path's place, as sam build and sam deploy do. A template
over CloudFormation's 51,200-byte TemplateBody limit is stored there too and
passed as a TemplateURL, as sam deploy does with its bucket.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.set = map[string]bool{}
			cmd.Flags().Visit(func(fl *pflag.Flag) { f.set[fl.Name] = true })
			if f.noConfirm {
				f.confirm, f.set["confirm-changeset"] = false, true
			}
			if noFailOnEmpty {
				f.failOnEmpty, f.set["fail-on-empty-changeset"] = false, true
			}
			f.in, f.interactive = cmd.InOrStdin(), true
			if fh, ok := f.in.(*os.File); ok {
				st, err := fh.Stat()
				f.interactive = err == nil && st.Mode()&os.ModeCharDevice != 0
			}
			return explain(f.endpoint, deploy(cmd.Context(), f, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		},
	}
	endpoint := os.Getenv("AWS_ENDPOINT_URL")
	if endpoint == "" {
		endpoint = os.Getenv("VIRGA_ENDPOINT")
	}
	if endpoint == "" {
		endpoint = "http://127.0.0.1:4566"
	}
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = "us-east-1"
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.template, "template-file", "t", "template.yaml", "the template")
	fl.StringVar(&f.stack, "stack-name", "", "the stack's name (default: the template directory's name)")
	fl.StringArrayVar(&f.params, "parameter-overrides", nil, "KEY=VALUE (repeatable, or several separated by spaces)")
	fl.StringVar(&f.endpoint, "endpoint-url", endpoint, "virga's URL (AWS_ENDPOINT_URL)")
	fl.StringVar(&f.region, "region", region, "region (AWS_REGION)")
	fl.BoolVar(&f.noExecute, "no-execute-changeset", false, "create the change set and show it, without executing it")
	fl.BoolVar(&f.confirm, "confirm-changeset", false, "show the change set and ask before executing it")
	fl.BoolVar(&f.disableRollback, "disable-rollback", false, "keep the resources made when the deployment fails")
	fl.StringArrayVar(&f.tags, "tags", nil, "the stack's tags, KEY=VALUE (repeatable, or several separated by spaces)")
	fl.StringVar(&f.configFile, "config-file", "", "SAM configuration file (default: samconfig.toml, .yaml or .yml beside the template)")
	fl.StringVar(&f.configEnv, "config-env", "default", "environment in the SAM configuration file")
	fl.BoolVar(&f.noConfirm, "no-confirm-changeset", false, "execute the change set without asking (the default), whatever the SAM configuration file says")
	fl.BoolVar(&f.failOnEmpty, "fail-on-empty-changeset", true, "fail when there is nothing to change, as sam deploy does")
	fl.BoolVar(&noFailOnEmpty, "no-fail-on-empty-changeset", false, "succeed when there is nothing to change")
	fl.BoolVar(&f.guided, "guided", false, "sam deploy's questions: virga deploy asks none; it deploys with the stack name, parameters and tags it is given (or the SAM configuration's, or the defaults)")
	// sam deploy's options for where packages go and what the stack may
	// create, which virga decides itself (it keeps the packages, and
	// acknowledges every capability): accepted, so that sam deploy's
	// command lines (a README's, a CI script's) run as they are, as the
	// same keys of samconfig.toml are (samConfigIgnored).
	var capabilities []string
	var s3Bucket, s3Prefix string
	var resolveS3, forceUpload bool
	fl.StringArrayVar(&capabilities, "capabilities", nil, "as sam deploy's; virga deploy acknowledges every capability")
	fl.BoolVar(&resolveS3, "resolve-s3", false, "as sam deploy's; virga keeps the packages itself")
	fl.StringVar(&s3Bucket, "s3-bucket", "", "as sam deploy's; virga keeps the packages itself")
	fl.StringVar(&s3Prefix, "s3-prefix", "", "as sam deploy's; virga keeps the packages itself")
	fl.BoolVar(&forceUpload, "force-upload", false, "as sam deploy's; virga deploy stores every package it builds")
	return cmd
}

// applySAMConfig fills in what the command line left out from the SAM
// project's configuration file, as sam deploy does.
func applySAMConfig(f *deployFlags, log io.Writer) error {
	dir := "."
	if f.set["template-file"] {
		dir = filepath.Dir(f.template)
	}
	c, err := loadSAMConfig(dir, f.configFile, f.configEnv)
	if err != nil || c == nil {
		return err
	}
	fmt.Fprintf(log, "Reading %s (environment %s)\n", c.path, f.configEnv)
	if !f.set["template-file"] && c.template != "" {
		f.template = filepath.Join(dir, c.template)
	}
	if !f.set["stack-name"] && c.stackName != "" {
		f.stack = c.stackName
	}
	if !f.set["region"] && c.region != "" {
		f.region = c.region
	}
	if !f.set["parameter-overrides"] && len(c.parameterOverrides) > 0 {
		f.params = c.parameterOverrides
	}
	if !f.set["tags"] && len(c.tags) > 0 {
		f.tags = c.tags
	}
	for _, b := range []struct {
		flag string
		into *bool
		from *bool
	}{{"no-execute-changeset", &f.noExecute, c.noExecute}, {"confirm-changeset", &f.confirm, c.confirm},
		{"disable-rollback", &f.disableRollback, c.disableRollback},
		{"fail-on-empty-changeset", &f.failOnEmpty, c.failOnEmpty}} {
		if !f.set[b.flag] && b.from != nil {
			*b.into = *b.from
		}
	}
	for _, k := range c.unused {
		fmt.Fprintf(log, "notice: %s: virga deploy does not use the deploy parameter %s\n", c.path, k)
	}
	return nil
}

func deploy(ctx context.Context, f deployFlags, out, log io.Writer) error {
	if err := applySAMConfig(&f, log); err != nil {
		return err
	}
	if f.guided {
		fmt.Fprintln(log, "notice: --guided: virga deploy asks no questions and writes no samconfig.toml; it deploys with the stack name, --parameter-overrides and --tags given (or the SAM configuration's, or the template's defaults)")
	}
	if !f.set["template-file"] {
		// As sam does, take template.yml when there is no template.yaml.
		if _, err := os.Stat(f.template); errors.Is(err, os.ErrNotExist) {
			if alt := strings.TrimSuffix(f.template, ".yaml") + ".yml"; fileExists(alt) {
				f.template = alt
			}
		}
	}
	body, err := os.ReadFile(f.template)
	if err != nil {
		return err
	}
	// As sam deploy, take a key given twice with its last value (the SAM
	// CLI's YAML reader does); aws cloudformation deploy refuses it.
	t, dups, err := template.ParseKeepingLastKey(body)
	if err != nil {
		return fmt.Errorf("%s: %w", f.template, err)
	}
	for _, d := range dups {
		fmt.Fprintf(log, "notice: %s %s\n", f.template, d)
	}
	abs, _ := filepath.Abs(f.template)
	if f.stack == "" {
		f.stack = sanitizeStackName(filepath.Base(filepath.Dir(abs)))
	}
	key, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if key == "" || secret == "" {
		key, secret = "test", "test"
	}
	p := &preparer{endpoint: f.endpoint, s3: s3Client(f.endpoint, f.region, key, secret), log: log, built: map[string]builtPackage{}}
	if err := p.prepare(ctx, t.Tree, abs, 0); err != nil {
		return err
	}
	processed, err := json.Marshal(t.Tree)
	if err != nil {
		return err
	}
	params, err := parseOverrides(f.params)
	if err != nil {
		return err
	}
	tagKVs, err := parseOverrides(f.tags)
	if err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	var tags []cftypes.Tag
	for _, p := range tagKVs {
		tags = append(tags, cftypes.Tag{Key: p.ParameterKey, Value: p.ParameterValue})
	}
	cf := cloudformation.NewFromConfig(aws.Config{Region: f.region, BaseEndpoint: aws.String(f.endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, os.Getenv("AWS_SESSION_TOKEN"))})

	typ := cftypes.ChangeSetTypeUpdate
	existing, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: &f.stack})
	if err == nil && len(existing.Stacks) > 0 && existing.Stacks[0].StackStatus == cftypes.StackStatusRollbackComplete {
		// A stack whose creation failed cannot be updated, only deleted;
		// nothing of it is left, so deploying again means starting over.
		fmt.Fprintf(out, "Stack %s is in ROLLBACK_COMPLETE (its creation failed): deleting it to deploy again\n", f.stack)
		if err := deleteFailedStack(ctx, cf, existing.Stacks[0].StackId); err != nil {
			return err
		}
		existing = nil
	}
	if err != nil || existing == nil || len(existing.Stacks) == 0 || existing.Stacks[0].StackStatus == cftypes.StackStatusReviewInProgress {
		typ = cftypes.ChangeSetTypeCreate
	}
	// Nanoseconds: two deploys in one millisecond (a deploy with nothing
	// to change takes less) must not name the same change set, since a
	// failed one is kept.
	csName := fmt.Sprintf("virga-deploy-%d", time.Now().UnixNano())
	in := &cloudformation.CreateChangeSetInput{
		StackName: &f.stack, ChangeSetName: &csName, ChangeSetType: typ,
		Parameters:   params,
		Tags:         tags,
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityNamedIam, cftypes.CapabilityCapabilityAutoExpand},
	}
	if len(processed) > maxTemplateBody {
		// CloudFormation takes at most 51,200 bytes inline; sam deploy
		// uploads a larger template to S3 and passes its TemplateURL.
		u, err := uploadTemplate(ctx, p.s3, f.endpoint, processed)
		if err != nil {
			return explain(f.endpoint, err)
		}
		fmt.Fprintf(log, "Uploaded the template (%d bytes, over CloudFormation's %d-byte TemplateBody limit) to %s\n", len(processed), maxTemplateBody, u)
		in.TemplateURL = &u
	} else {
		in.TemplateBody = aws.String(string(processed))
	}
	created, err := cf.CreateChangeSet(ctx, in)
	if err != nil {
		return apiError(err)
	}
	if a, err := arn.Parse(aws.ToString(created.StackId)); err == nil && a.Region != f.region {
		// virga serves one region and makes everything there, whatever
		// region the request was signed for: say so rather than let the
		// outputs' ARNs surprise.
		fmt.Fprintf(log, "notice: virga serves region %s: the stack is deployed there, not in %s (the region asked for)\n", a.Region, f.region)
	}
	cs, err := waitChangeSet(ctx, cf, *created.Id)
	if err != nil {
		return err
	}
	if cs.Status == cftypes.ChangeSetStatusFailed {
		if strings.Contains(aws.ToString(cs.StatusReason), "didn't contain changes") {
			// sam deploy's words, an error unless told otherwise.
			msg := fmt.Sprintf("No changes to deploy. Stack %s is up to date", f.stack)
			if f.failOnEmpty {
				return errors.New(msg)
			}
			fmt.Fprintln(out, msg)
			return nil
		}
		return fmt.Errorf("the change set failed: %s", aws.ToString(cs.StatusReason))
	}
	fmt.Fprintf(out, "Changes to %s:\n", f.stack)
	for _, c := range cs.Changes {
		rc := c.ResourceChange
		rep := ""
		if rc.Replacement == cftypes.ReplacementTrue {
			rep = " (replacement)"
		}
		fmt.Fprintf(out, "  %-8s %-40s %s%s\n", rc.Action, aws.ToString(rc.LogicalResourceId), aws.ToString(rc.ResourceType), rep)
	}
	if !f.noExecute && f.confirm {
		if f.interactive {
			fmt.Fprint(out, "Deploy this changeset? [y/N]: ")
			answer, _ := bufio.NewReader(f.in).ReadString('\n')
			answer = strings.ToLower(strings.TrimSpace(answer))
			if answer != "y" && answer != "yes" {
				fmt.Fprintf(out, "Change set %s created; not executed.\n", csName)
				return nil
			}
		} else {
			fmt.Fprintln(log, "notice: confirm_changeset is set but there is no terminal to ask on: deploying the change set")
		}
	}
	if f.noExecute {
		fmt.Fprintf(out, "Change set %s created; not executed.\n", csName)
		return nil
	}
	started := time.Now().Add(-time.Second)
	if _, err := cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: created.Id,
		DisableRollback: aws.Bool(f.disableRollback)}); err != nil {
		return apiError(err)
	}
	status, err := follow(ctx, cf, aws.ToString(created.StackId), started, out)
	if err != nil {
		return err
	}
	if status != cftypes.StackStatusCreateComplete && status != cftypes.StackStatusUpdateComplete {
		if why := firstFailure(ctx, cf, aws.ToString(created.StackId), started); why != "" {
			return fmt.Errorf("stack %s: %s: %s", f.stack, status, why)
		}
		return fmt.Errorf("stack %s: %s", f.stack, status)
	}
	final, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: created.StackId})
	if err != nil {
		return apiError(err)
	}
	if outs := final.Stacks[0].Outputs; len(outs) > 0 {
		fmt.Fprintln(out, "Outputs:")
		for _, o := range outs {
			fmt.Fprintf(out, "  %s: %s\n", aws.ToString(o.OutputKey), aws.ToString(o.OutputValue))
		}
	}
	fmt.Fprintf(out, "Successfully created/updated stack - %s\n", f.stack)
	return nil
}

// modernizeRuntimes replaces, in a template's functions (and Globals),
// runtimes AWS Lambda has retired with the ones it recommends instead,
// and says so: such templates, AWS's own SAM hello world among them,
// still deploy with virga deploy. aws cloudformation deploy refuses them,
// as AWS does. sdkV2 names the functions moved off a Node.js runtime
// that included the AWS SDK for JavaScript v2: their build bundles it
// (see bundleSDKv2), as AWS advises for code that keeps using it on a
// newer runtime.
func modernizeRuntimes(tree map[string]any) (notes []string, sdkV2 map[string]bool) {
	sdkV2 = map[string]bool{}
	fix := func(where string, props map[string]any) bool {
		rt, _ := props["Runtime"].(string)
		next, retired := lambda.Successor(rt)
		if !retired {
			return false
		}
		props["Runtime"] = next
		note := fmt.Sprintf("%s: runtime %s is retired on AWS Lambda; virga deploy runs it as %s", where, rt, next)
		if withSDKv2[rt] {
			note += " (which, unlike " + rt + ", has no AWS SDK for JavaScript v2: virga deploy bundles aws-sdk@2 with code that requires 'aws-sdk' and does not bundle it)"
		}
		notes = append(notes, note)
		return withSDKv2[rt]
	}
	globalV2 := false
	if g, ok := tree["Globals"].(map[string]any); ok {
		if fn, ok := g["Function"].(map[string]any); ok {
			globalV2 = fix("Globals.Function", fn)
		}
	}
	resources, _ := tree["Resources"].(map[string]any)
	for _, id := range sortedIDs(resources) {
		res, _ := resources[id].(map[string]any)
		switch res["Type"] {
		case "AWS::Serverless::Function", "AWS::Lambda::Function":
			props, _ := res["Properties"].(map[string]any)
			if props == nil {
				props = map[string]any{}
			}
			if _, own := props["Runtime"]; own {
				sdkV2[id] = fix(id, props)
			} else if res["Type"] == "AWS::Serverless::Function" {
				sdkV2[id] = globalV2
			}
		}
	}
	return notes, sdkV2
}

// withSDKv2 are the retired Node.js runtimes whose images included the
// AWS SDK for JavaScript v2 (require('aws-sdk')); nodejs18.x and later
// include v3 only.
var withSDKv2 = map[string]bool{"nodejs10.x": true, "nodejs12.x": true, "nodejs14.x": true, "nodejs16.x": true}

func sortedIDs(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sanitizeStackName makes a directory name a valid stack name.
func sanitizeStackName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if name == "" || !(name[0] >= 'a' && name[0] <= 'z' || name[0] >= 'A' && name[0] <= 'Z') {
		name = "app-" + name
	}
	return name
}

// parseOverrides reads KEY=VALUE overrides; an argument may hold several
// separated by spaces, as sam deploy takes them.
// parseOverrides reads parameter overrides, each argument holding one or
// more (see splitOverrides).
func parseOverrides(args []string) ([]cftypes.Parameter, error) {
	var out []cftypes.Parameter
	for _, a := range args {
		kvs, err := splitOverrides(a)
		if err != nil {
			return nil, err
		}
		for _, kv := range kvs {
			out = append(out, cftypes.Parameter{ParameterKey: aws.String(kv[0]), ParameterValue: aws.String(kv[1])})
		}
	}
	return out, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func waitChangeSet(ctx context.Context, cf *cloudformation.Client, id string) (*cloudformation.DescribeChangeSetOutput, error) {
	for {
		cs, err := cf.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: &id})
		if err != nil {
			return nil, apiError(err)
		}
		switch cs.Status {
		case cftypes.ChangeSetStatusCreateComplete, cftypes.ChangeSetStatusFailed:
			return cs, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// deleteFailedStack deletes a stack and waits until it is gone.
func deleteFailedStack(ctx context.Context, cf *cloudformation.Client, id *string) error {
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: id}); err != nil {
		return err
	}
	for {
		st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: id})
		if err != nil {
			return err
		}
		switch status := st.Stacks[0].StackStatus; status {
		case cftypes.StackStatusDeleteComplete:
			return nil
		case cftypes.StackStatusDeleteFailed:
			return fmt.Errorf("deleting the failed stack: %s", aws.ToString(st.Stacks[0].StackStatusReason))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// follow prints the stack's events as they come until its status is no
// longer in progress, and returns that status.
func follow(ctx context.Context, cf *cloudformation.Client, stackID string, since time.Time, out io.Writer) (cftypes.StackStatus, error) {
	seen := map[string]bool{}
	for {
		evs, err := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: &stackID})
		if err != nil {
			return "", apiError(err)
		}
		// Events come newest first; print the new ones oldest first.
		var fresh []cftypes.StackEvent
		for i := len(evs.StackEvents) - 1; i >= 0; i-- {
			e := evs.StackEvents[i]
			if !seen[aws.ToString(e.EventId)] && e.Timestamp != nil && !e.Timestamp.Before(since.Truncate(time.Second)) {
				fresh = append(fresh, e)
			}
		}
		for _, e := range fresh {
			seen[aws.ToString(e.EventId)] = true
			reason := aws.ToString(e.ResourceStatusReason)
			if reason != "" {
				reason = "  " + reason
			}
			fmt.Fprintf(out, "%-45s %-30s %s%s\n", e.ResourceStatus, aws.ToString(e.LogicalResourceId), aws.ToString(e.ResourceType), reason)
		}
		st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: &stackID})
		if err != nil {
			return "", apiError(err)
		}
		status := st.Stacks[0].StackStatus
		if !strings.HasSuffix(string(status), "_IN_PROGRESS") {
			return status, nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// firstFailure is the first resource failure of the operation that
// started at since, "LOGICALID (TYPE): REASON", or "" when there is none:
// the cause, where the stack's own status only says it rolled back.
func firstFailure(ctx context.Context, cf *cloudformation.Client, stackID string, since time.Time) string {
	evs, err := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: &stackID})
	if err != nil {
		return ""
	}
	why := ""
	// Events come newest first; the last failure found is the first made.
	for _, e := range evs.StackEvents {
		if e.Timestamp == nil || e.Timestamp.Before(since.Truncate(time.Second)) {
			break
		}
		if strings.HasSuffix(string(e.ResourceStatus), "_FAILED") && aws.ToString(e.ResourceType) != "AWS::CloudFormation::Stack" {
			why = fmt.Sprintf("%s (%s): %s", aws.ToString(e.LogicalResourceId), aws.ToString(e.ResourceType), aws.ToString(e.ResourceStatusReason))
		}
	}
	return why
}

// apiError words an SDK error briefly.
func apiError(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Errorf("%s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	return err
}

// nargsFlags are the deploy flags that, as in sam deploy, take every
// argument up to the next flag: --parameter-overrides A=1 B=2,
// --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND.
var nargsFlags = []string{"--parameter-overrides", "--tags", "--capabilities"}

// gatherNargs rewrites a command line so that the arguments following a
// nargs flag, up to the next flag, become that flag's one value: the
// first as it is (it may hold several, separated by spaces), the others
// quoted as splitOverrides reads quotes. Other arguments are left alone.
func gatherNargs(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		var values []string
		name := ""
		for _, f := range nargsFlags {
			switch {
			case a == f && i+1 < len(args):
				name, values = f, []string{args[i+1]}
				i++
			case strings.HasPrefix(a, f+"="):
				name, values = f, []string{strings.TrimPrefix(a, f+"=")}
			}
		}
		if name == "" {
			out = append(out, a)
			continue
		}
		for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			values = append(values, quoteOverride(args[i+1]))
			i++
		}
		out = append(out, name, strings.Join(values, " "))
	}
	return out
}

// quoteOverride quotes one KEY=VALUE argument that holds a space or a
// quote, so that splitOverrides reads it back as one.
func quoteOverride(s string) string {
	if !strings.ContainsAny(s, " \t\n\"") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
