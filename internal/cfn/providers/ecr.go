package providers

import (
	"context"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::ECR::Repository",
		Provider: ecrRepository{},
		// RepositoryName and EncryptionConfiguration replace the
		// repository, as on AWS. ImageScanningConfiguration AWS changes
		// in place (PutImageScanningConfiguration), which virga's ECR
		// does not have: a change makes a new repository.
		Replace:      []string{"RepositoryName", "EncryptionConfiguration", "ImageScanningConfiguration"},
		NameProperty: "RepositoryName",
		Attributes:   []string{"Arn", "RepositoryUri"},
		Tags:         resource.TagList,
	})
}

// ecrRepository is AWS::ECR::Repository: CreateRepository, then the
// lifecycle policy and the repository policy if the template has them.
// ImageTagMutability, LifecyclePolicy, RepositoryPolicyText and Tags
// change in place. Its physical ID and Ref are the repository's name.
// Deleting a repository that holds images fails, as
// DeleteRepository does, unless EmptyOnDelete is true.
type ecrRepository struct{}

// maxRepositoryName is ECR's limit on a repository's name.
const maxRepositoryName = 256

var ecrRepositoryKinds = map[string]kind{"EmptyOnDelete": boolean, "ScanOnPush": boolean}

func (ecrRepository) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, ecrRepositoryKinds)
	name := p.str("RepositoryName")
	if name == "" {
		// Repository names are lower case.
		name = strings.ToLower(physicalName(r, maxRepositoryName))
	}
	in := map[string]any{"repositoryName": name}
	if v := p.str("ImageTagMutability"); v != "" {
		in["imageTagMutability"] = v
	}
	if sc := p.obj("ImageScanningConfiguration"); sc != nil {
		in["imageScanningConfiguration"] = map[string]any{"scanOnPush": sc.flag("ScanOnPush")}
	}
	if ec := p.obj("EncryptionConfiguration"); ec != nil {
		e := map[string]any{"encryptionType": ec.str("EncryptionType")}
		if k := ec.str("KmsKey"); k != "" {
			e["kmsKey"] = k
		}
		in["encryptionConfiguration"] = e
	}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["tags"] = ecrTags(tags)
	}
	if _, err := call(ctx, r, "ecr", "CreateRepository", in); err != nil {
		return nil, err
	}
	res := &resource.Result{PhysicalID: name}
	if err := ecrPolicies(ctx, r, name, nil, p); err != nil {
		return res, err
	}
	return ecrRepositoryResult(ctx, r, name)
}

// ecrTags is a tag map as ECR's API takes it, [{Key, Value}].
func ecrTags(m map[string]string) []any {
	var out []any
	for _, k := range sortedKeys(m) {
		out = append(out, map[string]any{"Key": k, "Value": m[k]})
	}
	return out
}

// ecrPolicies puts or deletes the lifecycle and repository policies
// that changed from old to p.
func ecrPolicies(ctx context.Context, r *resource.Request, name string, old, p props) error {
	lifecycle := func(q props) string { return q.obj("LifecyclePolicy").str("LifecyclePolicyText") }
	if from, to := lifecycle(old), lifecycle(p); from != to {
		var err error
		if to == "" {
			_, err = call(ctx, r, "ecr", "DeleteLifecyclePolicy", map[string]any{"repositoryName": name})
		} else {
			_, err = call(ctx, r, "ecr", "PutLifecyclePolicy", map[string]any{"repositoryName": name, "lifecyclePolicyText": to})
		}
		if err != nil {
			return err
		}
	}
	policy := func(q props) (string, error) {
		if q == nil || !q.has("RepositoryPolicyText") {
			return "", nil
		}
		return jsonText(q["RepositoryPolicyText"])
	}
	from, err := policy(old)
	if err != nil {
		return err
	}
	to, err := policy(p)
	if err != nil {
		return err
	}
	if from == to {
		return nil
	}
	if to == "" {
		_, err = call(ctx, r, "ecr", "DeleteRepositoryPolicy", map[string]any{"repositoryName": name})
	} else {
		_, err = call(ctx, r, "ecr", "SetRepositoryPolicy", map[string]any{"repositoryName": name, "policyText": to})
	}
	return err
}

func ecrRepositoryResult(ctx context.Context, r *resource.Request, name string) (*resource.Result, error) {
	out, err := call(ctx, r, "ecr", "DescribeRepositories", map[string]any{"repositoryNames": []any{name}})
	if err != nil {
		return &resource.Result{PhysicalID: name}, err
	}
	repos, _ := out["repositories"].([]any)
	if len(repos) == 0 {
		return &resource.Result{PhysicalID: name}, nil
	}
	repo := props(asMap(repos[0]))
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{
		"Arn": repo.str("repositoryArn"), "RepositoryUri": repo.str("repositoryUri"),
	}}, nil
}

func (ecrRepository) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, ecrRepositoryKinds)
	name := r.PhysicalID
	if from, to := old.str("ImageTagMutability"), p.str("ImageTagMutability"); from != to {
		if to == "" {
			to = "MUTABLE"
		}
		if _, err := call(ctx, r, "ecr", "PutImageTagMutability", map[string]any{"repositoryName": name, "imageTagMutability": to}); err != nil {
			return nil, err
		}
	}
	if err := ecrPolicies(ctx, r, name, old, p); err != nil {
		return nil, err
	}
	res, err := ecrRepositoryResult(ctx, r, name)
	if err != nil {
		return nil, err
	}
	arn := res.Attributes["Arn"]
	set, removed := tagDiff(tagMap(old["Tags"]), tagMap(p["Tags"]))
	if len(removed) > 0 {
		if _, err := call(ctx, r, "ecr", "UntagResource", map[string]any{"resourceArn": arn, "tagKeys": anyStrings(removed)}); err != nil {
			return nil, err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "ecr", "TagResource", map[string]any{"resourceArn": arn, "tags": ecrTags(set)}); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (ecrRepository) Delete(ctx context.Context, r *resource.Request) error {
	p, _ := coerced(r, ecrRepositoryKinds)
	_, err := call(ctx, r, "ecr", "DeleteRepository", map[string]any{"repositoryName": r.PhysicalID, "force": p.flag("EmptyOnDelete")})
	return ignoreGone(err)
}
