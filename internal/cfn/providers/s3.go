package providers

import (
	"context"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:         "AWS::S3::Bucket",
		Provider:     bucket{},
		Replace:      []string{"BucketName", "ObjectLockEnabled"},
		NameProperty: "BucketName",
		Attributes:   []string{"Arn", "DomainName", "DualStackDomainName", "RegionalDomainName", "WebsiteURL"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::S3::BucketPolicy",
		Provider:   bucketPolicy{},
		Replace:    []string{"Bucket"},
		Attributes: []string{},
	})
}

// maxBucketName: "Bucket names must be between 3 (min) and 63 (max)
// characters long."
const maxBucketName = 63

// bucket is AWS::S3::Bucket: CreateBucket, then the configuration the
// template gives (tags, versioning, CORS, event notifications). Its physical ID and Ref are
// the bucket's name. Deleting a bucket that still holds objects fails
// with S3's BucketNotEmpty, as on AWS.
type bucket struct{}

// bucketName is the name CloudFormation gives a bucket a template does
// not name: STACK-LOGICALID-RANDOM, in lower case, as bucket names must
// be.
func bucketName(r *resource.Request) string {
	return strings.ToLower(physicalName(r, maxBucketName))
}

func (bucket) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	name := p.str("BucketName")
	if name == "" {
		name = bucketName(r)
	}
	in := map[string]any{"Bucket": name}
	region := ""
	if r.Env != nil {
		region = r.Env.Region
	}
	if region != "" && region != "us-east-1" {
		in["CreateBucketConfiguration"] = map[string]any{"LocationConstraint": region}
	}
	if p.flag("ObjectLockEnabled") {
		in["ObjectLockEnabledForBucket"] = true
	}
	if _, err := call(ctx, r, "s3", "CreateBucket", in); err != nil {
		return nil, err
	}
	if err := configureBucket(ctx, r, name, props{}, p); err != nil {
		return bucketResult(name, region), err // made: the rollback deletes it
	}
	return bucketResult(name, region), nil
}

// configureBucket puts the configuration that changed between old and p.
func configureBucket(ctx context.Context, r *resource.Request, name string, old, p props) error {
	if changed(old, p, "Tags") {
		tags := tagMap(p["Tags"])
		var err error
		if len(tags) == 0 {
			_, err = call(ctx, r, "s3", "DeleteBucketTagging", map[string]any{"Bucket": name})
		} else {
			_, err = call(ctx, r, "s3", "PutBucketTagging", map[string]any{"Bucket": name,
				"Tagging": map[string]any{"TagSet": tagList(tags)}})
		}
		if err != nil {
			return err
		}
	}
	if changed(old, p, "VersioningConfiguration") && p.has("VersioningConfiguration") {
		if _, err := call(ctx, r, "s3", "PutBucketVersioning", map[string]any{"Bucket": name,
			"VersioningConfiguration": map[string]any{"Status": p.obj("VersioningConfiguration").str("Status")}}); err != nil {
			return err
		}
	}
	if changed(old, p, "NotificationConfiguration") {
		if _, err := call(ctx, r, "s3", "PutBucketNotificationConfiguration", map[string]any{"Bucket": name,
			"NotificationConfiguration": notificationConfiguration(p.obj("NotificationConfiguration"))}); err != nil {
			return err
		}
	}
	if changed(old, p, "BucketEncryption") {
		var err error
		if rules := p.obj("BucketEncryption").list("ServerSideEncryptionConfiguration"); len(rules) == 0 {
			_, err = call(ctx, r, "s3", "DeleteBucketEncryption", map[string]any{"Bucket": name})
		} else {
			_, err = call(ctx, r, "s3", "PutBucketEncryption", map[string]any{"Bucket": name,
				"ServerSideEncryptionConfiguration": map[string]any{"Rules": encryptionRules(rules)}})
		}
		if err != nil {
			return err
		}
	}
	if changed(old, p, "CorsConfiguration") {
		rules := p.obj("CorsConfiguration").list("CorsRules")
		if len(rules) == 0 {
			_, err := call(ctx, r, "s3", "DeleteBucketCors", map[string]any{"Bucket": name})
			return err
		}
		var out []any
		for _, e := range rules {
			rule := props(asMap(e))
			m := map[string]any{}
			for from, to := range map[string]string{"AllowedHeaders": "AllowedHeaders", "AllowedMethods": "AllowedMethods",
				"AllowedOrigins": "AllowedOrigins", "ExposedHeaders": "ExposeHeaders"} {
				if rule.has(from) {
					m[to] = rule.list(from)
				}
			}
			if rule.has("Id") {
				m["ID"] = rule.str("Id")
			}
			if rule.has("MaxAge") {
				m["MaxAgeSeconds"] = rule["MaxAge"]
			}
			out = append(out, m)
		}
		if _, err := call(ctx, r, "s3", "PutBucketCors", map[string]any{"Bucket": name,
			"CORSConfiguration": map[string]any{"CORSRules": out}}); err != nil {
			return err
		}
	}
	return nil
}

// encryptionRules turns the template's ServerSideEncryptionConfiguration
// rules (ServerSideEncryptionByDefault, BucketKeyEnabled) into
// PutBucketEncryption's (ApplyServerSideEncryptionByDefault).
func encryptionRules(rules []any) []any {
	var out []any
	for _, e := range rules {
		rule := props(asMap(e))
		m := map[string]any{}
		if d := rule.obj("ServerSideEncryptionByDefault"); d != nil {
			def := map[string]any{"SSEAlgorithm": d.str("SSEAlgorithm")}
			if d.has("KMSMasterKeyID") {
				def["KMSMasterKeyID"] = d.str("KMSMasterKeyID")
			}
			m["ApplyServerSideEncryptionByDefault"] = def
		}
		if rule.has("BucketKeyEnabled") {
			m["BucketKeyEnabled"] = rule.flag("BucketKeyEnabled")
		}
		out = append(out, m)
	}
	return out
}

// notificationConfiguration turns the template's NotificationConfiguration
// (LambdaConfigurations, QueueConfigurations, TopicConfigurations with
// one Event each and Filter.S3Key.Rules; EventBridgeConfiguration's
// EventBridgeEnabled) into PutBucketNotificationConfiguration's.
func notificationConfiguration(p props) map[string]any {
	out := map[string]any{}
	for _, kind := range []struct{ from, to, arnFrom, arnTo string }{
		{"LambdaConfigurations", "LambdaFunctionConfigurations", "Function", "LambdaFunctionArn"},
		{"QueueConfigurations", "QueueConfigurations", "Queue", "QueueArn"},
		{"TopicConfigurations", "TopicConfigurations", "Topic", "TopicArn"},
	} {
		var list []any
		for _, e := range p.list(kind.from) {
			c := props(asMap(e))
			m := map[string]any{kind.arnTo: c.str(kind.arnFrom), "Events": []any{c.str("Event")}}
			if rules := c.obj("Filter").obj("S3Key").list("Rules"); len(rules) > 0 {
				var fr []any
				for _, rule := range rules {
					rp := props(asMap(rule))
					fr = append(fr, map[string]any{"Name": rp.str("Name"), "Value": rp.str("Value")})
				}
				m["Filter"] = map[string]any{"Key": map[string]any{"FilterRules": fr}}
			}
			list = append(list, m)
		}
		if len(list) > 0 {
			out[kind.to] = list
		}
	}
	if p.obj("EventBridgeConfiguration").flag("EventBridgeEnabled") {
		out["EventBridgeConfiguration"] = map[string]any{}
	}
	return out
}

// bucketResult is a bucket's Ref and attributes, as the
// AWS::S3::Bucket documentation gives them.
func bucketResult(name, region string) *resource.Result {
	if region == "" {
		region = "us-east-1"
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{
		"Arn":                 "arn:aws:s3:::" + name,
		"DomainName":          name + ".s3.amazonaws.com",
		"DualStackDomainName": name + ".s3.dualstack." + region + ".amazonaws.com",
		"RegionalDomainName":  name + ".s3." + region + ".amazonaws.com",
		"WebsiteURL":          "http://" + name + ".s3-website-" + region + ".amazonaws.com",
	}}
}

func (bucket) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	if err := configureBucket(ctx, r, r.PhysicalID, props(r.OldProperties), props(r.Properties)); err != nil {
		return nil, err
	}
	region := ""
	if r.Env != nil {
		region = r.Env.Region
	}
	return bucketResult(r.PhysicalID, region), nil
}

func (bucket) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "s3", "DeleteBucket", map[string]any{"Bucket": r.PhysicalID})
	return ignoreGone(err)
}

// bucketPolicy is AWS::S3::BucketPolicy: PutBucketPolicy with the
// document as JSON text. Its physical ID is the bucket's name.
type bucketPolicy struct{}

func (bucketPolicy) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	doc, err := jsonText(p["PolicyDocument"])
	if err != nil {
		return nil, err
	}
	name := p.str("Bucket")
	if _, err := call(ctx, r, "s3", "PutBucketPolicy", map[string]any{"Bucket": name, "Policy": doc}); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name}, nil
}

func (b bucketPolicy) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return b.Create(ctx, r)
}

func (bucketPolicy) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "s3", "DeleteBucketPolicy", map[string]any{"Bucket": r.PhysicalID})
	return ignoreGone(err)
}
