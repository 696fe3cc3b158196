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
		Lister:       bucket{},
		Replace:      []string{"BucketName", "ObjectLockEnabled"},
		NameProperty: "BucketName",
		Attributes:   []string{"Arn", "DomainName", "DualStackDomainName", "RegionalDomainName", "WebsiteURL"},
		Tags:         resource.TagList,
	})
	resource.Register(&resource.Type{
		Name:       "AWS::S3::BucketPolicy",
		Required:   []string{"Bucket", "PolicyDocument"},
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
	// CreateBucket of one's own bucket succeeds in us-east-1.
	if err := refuseTaken(ctx, r, lookup{service: "s3", op: "HeadBucket", in: map[string]any{"Bucket": name}}, nameTaken(name)); err != nil {
		return nil, err
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
	// ObjectLockConfiguration's names are PutObjectLockConfiguration's;
	// a bucket's Object Lock cannot be turned off.
	if changed(old, p, "ObjectLockConfiguration") && p.has("ObjectLockConfiguration") {
		if _, err := call(ctx, r, "s3", "PutObjectLockConfiguration", map[string]any{"Bucket": name,
			"ObjectLockConfiguration": map[string]any(p.obj("ObjectLockConfiguration"))}); err != nil {
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
			if _, err := call(ctx, r, "s3", "DeleteBucketCors", map[string]any{"Bucket": name}); err != nil {
				return err
			}
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
		if len(out) > 0 {
			if _, err := call(ctx, r, "s3", "PutBucketCors", map[string]any{"Bucket": name,
				"CORSConfiguration": map[string]any{"CORSRules": out}}); err != nil {
				return err
			}
		}
	}
	for _, c := range []struct {
		property, put, del, field string
		convert                   func(props) map[string]any
	}{
		{"OwnershipControls", "PutBucketOwnershipControls", "DeleteBucketOwnershipControls", "OwnershipControls", ownershipControls},
		{"PublicAccessBlockConfiguration", "PutPublicAccessBlock", "DeletePublicAccessBlock", "PublicAccessBlockConfiguration", publicAccessBlock},
		{"LifecycleConfiguration", "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle", "LifecycleConfiguration", lifecycleConfiguration},
		{"WebsiteConfiguration", "PutBucketWebsite", "DeleteBucketWebsite", "WebsiteConfiguration", websiteConfiguration},
		{"ReplicationConfiguration", "PutBucketReplication", "DeleteBucketReplication", "ReplicationConfiguration", replicationConfiguration},
	} {
		if !changed(old, p, c.property) {
			continue
		}
		var err error
		if p.has(c.property) {
			_, err = call(ctx, r, "s3", c.put, map[string]any{"Bucket": name, c.field: c.convert(p.obj(c.property))})
		} else {
			_, err = call(ctx, r, "s3", c.del, map[string]any{"Bucket": name})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ownershipControls turns the template's OwnershipControls (Rules of
// ObjectOwnership) into PutBucketOwnershipControls'.
func ownershipControls(p props) map[string]any {
	var rules []any
	for _, e := range p.list("Rules") {
		rules = append(rules, map[string]any{"ObjectOwnership": props(asMap(e)).str("ObjectOwnership")})
	}
	return map[string]any{"Rules": rules}
}

// publicAccessBlock is the template's PublicAccessBlockConfiguration,
// whose names are PutPublicAccessBlock's.
func publicAccessBlock(p props) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if p.has(k) {
			out[k] = p.flag(k)
		}
	}
	return out
}

// lifecycleConfiguration turns the template's LifecycleConfiguration
// (Rules with Id, Status, Prefix, TagFilters, ObjectSizeGreaterThan and
// ObjectSizeLessThan, ExpirationInDays, ExpirationDate,
// ExpiredObjectDeleteMarker, NoncurrentVersionExpiration or
// NoncurrentVersionExpirationInDays, AbortIncompleteMultipartUpload,
// Transitions and NoncurrentVersionTransitions) into
// PutBucketLifecycleConfiguration's rules, each with a Filter.
func lifecycleConfiguration(p props) map[string]any {
	var rules []any
	for _, e := range p.list("Rules") {
		rp := props(asMap(e))
		m := map[string]any{"Status": rp.str("Status")}
		if rp.has("Id") {
			m["ID"] = rp.str("Id")
		}
		var preds []map[string]any
		if rp.has("Prefix") {
			preds = append(preds, map[string]any{"Prefix": rp.str("Prefix")})
		}
		var tags []any
		for _, t := range rp.list("TagFilters") {
			tp := props(asMap(t))
			tags = append(tags, map[string]any{"Key": tp.str("Key"), "Value": tp.str("Value")})
		}
		if len(tags) == 1 {
			preds = append(preds, map[string]any{"Tag": tags[0]})
		} else if len(tags) > 1 {
			preds = append(preds, map[string]any{"Tags": tags})
		}
		for _, k := range []string{"ObjectSizeGreaterThan", "ObjectSizeLessThan"} {
			if rp.has(k) {
				preds = append(preds, map[string]any{k: rp[k]})
			}
		}
		filter := map[string]any{}
		switch {
		case len(preds) == 1 && preds[0]["Tags"] == nil:
			filter = preds[0]
		case len(preds) > 0:
			and := map[string]any{}
			for _, pr := range preds {
				for k, v := range pr {
					if k == "Tag" {
						k, v = "Tags", []any{v}
					}
					and[k] = v
				}
			}
			filter["And"] = and
		default:
			filter["Prefix"] = ""
		}
		m["Filter"] = filter
		exp := map[string]any{}
		if rp.has("ExpirationInDays") {
			exp["Days"] = rp["ExpirationInDays"]
		}
		if rp.has("ExpirationDate") {
			exp["Date"] = rp["ExpirationDate"]
		}
		if rp.has("ExpiredObjectDeleteMarker") {
			exp["ExpiredObjectDeleteMarker"] = rp.flag("ExpiredObjectDeleteMarker")
		}
		if len(exp) > 0 {
			m["Expiration"] = exp
		}
		if n := rp.obj("NoncurrentVersionExpiration"); n != nil {
			ne := map[string]any{"NoncurrentDays": n["NoncurrentDays"]}
			if n.has("NewerNoncurrentVersions") {
				ne["NewerNoncurrentVersions"] = n["NewerNoncurrentVersions"]
			}
			m["NoncurrentVersionExpiration"] = ne
		} else if rp.has("NoncurrentVersionExpirationInDays") {
			m["NoncurrentVersionExpiration"] = map[string]any{"NoncurrentDays": rp["NoncurrentVersionExpirationInDays"]}
		}
		if a := rp.obj("AbortIncompleteMultipartUpload"); a != nil {
			m["AbortIncompleteMultipartUpload"] = map[string]any{"DaysAfterInitiation": a["DaysAfterInitiation"]}
		}
		var transitions []any
		for _, t := range append(rp.list("Transitions"), single(rp.obj("Transition"))...) {
			tp := props(asMap(t))
			tr := map[string]any{"StorageClass": tp.str("StorageClass")}
			if tp.has("TransitionInDays") {
				tr["Days"] = tp["TransitionInDays"]
			}
			if tp.has("TransitionDate") {
				tr["Date"] = tp["TransitionDate"]
			}
			transitions = append(transitions, tr)
		}
		if len(transitions) > 0 {
			m["Transitions"] = transitions
		}
		var nts []any
		for _, t := range append(rp.list("NoncurrentVersionTransitions"), single(rp.obj("NoncurrentVersionTransition"))...) {
			tp := props(asMap(t))
			tr := map[string]any{"StorageClass": tp.str("StorageClass"), "NoncurrentDays": tp["TransitionInDays"]}
			if tp.has("NewerNoncurrentVersions") {
				tr["NewerNoncurrentVersions"] = tp["NewerNoncurrentVersions"]
			}
			nts = append(nts, tr)
		}
		if len(nts) > 0 {
			m["NoncurrentVersionTransitions"] = nts
		}
		rules = append(rules, m)
	}
	return map[string]any{"Rules": rules}
}

// replicationConfiguration turns the template's ReplicationConfiguration
// (Role, Rules with Id, Status, Priority, Prefix or a Filter of Prefix,
// TagFilter or And with TagFilters, DeleteMarkerReplication,
// Destination) into PutBucketReplication's.
func replicationConfiguration(p props) map[string]any {
	var rules []any
	for _, e := range p.list("Rules") {
		rp := props(asMap(e))
		m := map[string]any{"Status": rp.str("Status")}
		for from, to := range map[string]string{"Id": "ID", "Priority": "Priority", "Prefix": "Prefix"} {
			if rp.has(from) {
				m[to] = rp[from]
			}
		}
		if f := rp.obj("Filter"); f != nil {
			filter := map[string]any{}
			if f.has("Prefix") {
				filter["Prefix"] = f.str("Prefix")
			}
			if t := f.obj("TagFilter"); t != nil {
				filter["Tag"] = map[string]any{"Key": t.str("Key"), "Value": t.str("Value")}
			}
			if a := f.obj("And"); a != nil {
				and := map[string]any{}
				if a.has("Prefix") {
					and["Prefix"] = a.str("Prefix")
				}
				var tags []any
				for _, t := range a.list("TagFilters") {
					tp := props(asMap(t))
					tags = append(tags, map[string]any{"Key": tp.str("Key"), "Value": tp.str("Value")})
				}
				if len(tags) > 0 {
					and["Tags"] = tags
				}
				filter["And"] = and
			}
			m["Filter"] = filter
		}
		if d := rp.obj("DeleteMarkerReplication"); d != nil {
			m["DeleteMarkerReplication"] = map[string]any{"Status": d.str("Status")}
		}
		if d := rp.obj("Destination"); d != nil {
			dest := map[string]any{"Bucket": d.str("Bucket")}
			for _, k := range []string{"Account", "StorageClass"} {
				if d.has(k) {
					dest[k] = d.str(k)
				}
			}
			m["Destination"] = dest
		}
		rules = append(rules, m)
	}
	return map[string]any{"Role": p.str("Role"), "Rules": rules}
}

// websiteConfiguration turns the template's WebsiteConfiguration
// (IndexDocument and ErrorDocument as names, RedirectAllRequestsTo,
// RoutingRules of RoutingRuleCondition and RedirectRule) into
// PutBucketWebsite's.
func websiteConfiguration(p props) map[string]any {
	out := map[string]any{}
	if p.has("IndexDocument") {
		out["IndexDocument"] = map[string]any{"Suffix": p.str("IndexDocument")}
	}
	if p.has("ErrorDocument") {
		out["ErrorDocument"] = map[string]any{"Key": p.str("ErrorDocument")}
	}
	if ra := p.obj("RedirectAllRequestsTo"); ra != nil {
		m := map[string]any{"HostName": ra.str("HostName")}
		if ra.has("Protocol") {
			m["Protocol"] = ra.str("Protocol")
		}
		out["RedirectAllRequestsTo"] = m
	}
	var rules []any
	for _, e := range p.list("RoutingRules") {
		rp := props(asMap(e))
		rule := map[string]any{}
		if c := rp.obj("RoutingRuleCondition"); c != nil {
			cond := map[string]any{}
			for _, k := range []string{"HttpErrorCodeReturnedEquals", "KeyPrefixEquals"} {
				if c.has(k) {
					cond[k] = c.str(k)
				}
			}
			rule["Condition"] = cond
		}
		red := map[string]any{}
		rr := rp.obj("RedirectRule")
		for _, k := range []string{"HostName", "HttpRedirectCode", "Protocol", "ReplaceKeyPrefixWith", "ReplaceKeyWith"} {
			if rr.has(k) {
				red[k] = rr.str(k)
			}
		}
		rule["Redirect"] = red
		rules = append(rules, rule)
	}
	if len(rules) > 0 {
		out["RoutingRules"] = rules
	}
	return out
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

// single is a list of one object, or none.
func single(p props) []any {
	if p == nil {
		return nil
	}
	return []any{map[string]any(p)}
}
