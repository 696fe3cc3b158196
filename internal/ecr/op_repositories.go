package ecr

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/store/keys"
)

// Limits from ECR's service quotas and API reference.
const (
	defaultPageSize = 100    // DescribeRepositories, DescribeImages, ListImages without maxResults
	maxTags         = 50     // tags on a repository, but those in the aws: namespace (awsproto.UserTags)
	maxImages       = 100000 // "Images per repository" (a default quota AWS can raise)
)

// repoNamePattern is how ECR words a repository name outside its
// pattern.
const repoNameMessage = "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''"

func (s *Service) repoOut(r *repository, host string) *Repository {
	return &Repository{
		RepositoryArn:              ptr(s.repoARN(r.Name)),
		RegistryId:                 ptr(s.account),
		RepositoryName:             ptr(r.Name),
		RepositoryUri:              ptr(s.registryAddr(host) + "/" + r.Name),
		CreatedAt:                  ptr(time.UnixMilli(r.Created)),
		ImageTagMutability:         ptr(ImageTagMutability(r.Mutability)),
		ImageScanningConfiguration: &ImageScanningConfiguration{ScanOnPush: ptr(r.ScanOnPush)},
		EncryptionConfiguration:    &EncryptionConfiguration{EncryptionType: ptr(EncryptionType(r.Encryption)), KmsKey: nonEmpty(r.KmsKey)},
	}
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// checkRegistry refuses a registryId that is not the caller's account.
func (s *Service) checkRegistry(id *string) error {
	if id != nil && *id != s.account {
		return ErrInvalidParameter.Withf("Invalid parameter at 'registryId' failed to satisfy constraint: 'The registry ID %s is not the caller's account %s'", *id, s.account)
	}
	return nil
}

// checkTags refuses a tag set a repository may not take: more than 50
// of the caller's own, an empty key, or a key in the aws: namespace,
// which only CloudFormation's calls (marked on ctx) may set.
// reservedTagKey is the error for a caller's tag key k in the aws:
// namespace.
func reservedTagKey(k string) error {
	return ErrInvalidTagParameter.Withf("Tag key '%s' is not valid: keys beginning with 'aws:' are reserved for AWS use", k)
}

func checkTags(ctx context.Context, tags []Tag) error {
	key := func(t Tag) string { return deref(t.Key) }
	if k, ok := awsproto.ForbiddenTagKey(ctx, tags, key); ok {
		return reservedTagKey(k)
	}
	if awsproto.UserTags(tags, key) > maxTags {
		return ErrTooManyTags.WithMessage("Repository may have up to 50 tags")
	}
	for _, t := range tags {
		if deref(t.Key) == "" {
			return ErrInvalidTagParameter.WithMessage("Tag key must not be empty")
		}
	}
	return nil
}

func (s *Service) createRepository(ctx context.Context, in *CreateRepositoryRequest) (*CreateRepositoryResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	name := deref(in.RepositoryName)
	if !validRepoName(name) {
		return nil, ErrInvalidParameter.WithMessage(repoNameMessage)
	}
	if err := checkTags(ctx, in.Tags); err != nil {
		return nil, err
	}
	r := &repository{Name: name, Created: s.clock.Now().UnixMilli(), Mutability: "MUTABLE", Encryption: "AES256"}
	if in.ImageTagMutability != nil {
		r.Mutability = string(*in.ImageTagMutability)
	}
	if in.ImageScanningConfiguration != nil {
		r.ScanOnPush = deref(in.ImageScanningConfiguration.ScanOnPush)
	}
	if e := in.EncryptionConfiguration; e != nil {
		r.Encryption = string(deref(e.EncryptionType))
		if r.Encryption == "AES256" && e.KmsKey != nil {
			return nil, ErrInvalidParameter.WithMessage("Invalid parameter: kmsKey can only be specified when encryptionType is 'KMS'")
		}
		r.KmsKey = deref(e.KmsKey)
		if r.Encryption == "KMS" && r.KmsKey == "" {
			// The AWS managed key for ECR.
			r.KmsKey = "arn:aws:kms:" + s.region + ":" + s.account + ":alias/aws/ecr"
		}
	}
	for _, t := range in.Tags {
		r.setTag(deref(t.Key), deref(t.Value))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.loadRepo(name)
	if err != nil {
		return nil, err
	}
	if old != nil {
		return nil, ErrRepositoryAlreadyExists.Withf("The repository with name '%s' already exists in the registry with id '%s'", name, s.account)
	}
	if err := s.saveRepo(r); err != nil {
		return nil, err
	}
	return &CreateRepositoryResponse{Repository: s.repoOut(r, requestHost(ctx))}, nil
}

func (s *Service) saveRepo(r *repository) error {
	b := s.store.NewBatch()
	defer b.Close()
	if err := setJSON(b, repoKey(r.Name), r); err != nil {
		return err
	}
	return b.Commit()
}

func (r *repository) setTag(k, v string) {
	for i := range r.Tags {
		if r.Tags[i].Key == k {
			r.Tags[i].Value = v
			return
		}
	}
	r.Tags = append(r.Tags, tag{k, v})
}

// pageToken and fromToken carry the last name (or key) of a page.
func pageToken(last string) *string {
	return ptr(base64.RawURLEncoding.EncodeToString([]byte(last)))
}

func fromToken(tok *string) (string, error) {
	if tok == nil {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*tok)
	if err != nil || len(b) == 0 {
		return "", ErrInvalidParameter.WithMessage("Invalid parameter at 'nextToken' failed to satisfy constraint: 'The nextToken is not valid'")
	}
	return string(b), nil
}

func pageSize(max *int32) int {
	if max == nil {
		return defaultPageSize
	}
	return int(*max)
}

func (s *Service) describeRepositories(ctx context.Context, in *DescribeRepositoriesRequest) (*DescribeRepositoriesResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	host := requestHost(ctx)
	out := &DescribeRepositoriesResponse{Repositories: []Repository{}}
	if len(in.RepositoryNames) > 0 {
		if in.MaxResults != nil || in.NextToken != nil {
			return nil, ErrInvalidParameter.WithMessage("Invalid parameter: nextToken and maxResults cannot be used with repositoryNames")
		}
		for _, n := range in.RepositoryNames {
			r, err := s.mustRepo(n)
			if err != nil {
				return nil, err
			}
			out.Repositories = append(out.Repositories, *s.repoOut(r, host))
		}
		return out, nil
	}
	after, err := fromToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	all, err := s.repos()
	if err != nil {
		return nil, err
	}
	n := pageSize(in.MaxResults)
	for _, r := range all {
		if after != "" && r.Name <= after {
			continue
		}
		if len(out.Repositories) == n {
			out.NextToken = pageToken(*out.Repositories[n-1].RepositoryName)
			break
		}
		out.Repositories = append(out.Repositories, *s.repoOut(r, host))
	}
	return out, nil
}

func (s *Service) deleteRepository(ctx context.Context, in *DeleteRepositoryRequest) (*DeleteRepositoryResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	name := deref(in.RepositoryName)
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.mustRepo(name)
	if err != nil {
		return nil, err
	}
	if err := s.dropRepo(r, deref(in.Force)); err != nil {
		return nil, err
	}
	return &DeleteRepositoryResponse{Repository: s.repoOut(r, requestHost(ctx))}, nil
}

// dropRepo deletes a repository, its images, tags and blob links, which
// must be empty unless force. s.mu is held.
func (s *Service) dropRepo(r *repository, force bool) error {
	if r.ImageCount > 0 && !force {
		return ErrRepositoryNotEmpty.Withf("The repository with name '%s' in registry with id '%s' cannot be deleted because it still contains images", r.Name, s.account)
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(repoKey(r.Name))
	if err := s.unlinkAll(b, r.Name); err != nil {
		return err
	}
	for _, p := range [][]byte{imagePrefix(r.Name), tagPrefix(r.Name), linkPrefix(r.Name)} {
		b.DeleteRange(p, keys.PrefixEnd(p))
	}
	return b.Commit()
}

func (s *Service) putImageTagMutability(_ context.Context, in *PutImageTagMutabilityRequest) (*PutImageTagMutabilityResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.mustRepo(deref(in.RepositoryName))
	if err != nil {
		return nil, err
	}
	r.Mutability = string(deref(in.ImageTagMutability))
	if err := s.saveRepo(r); err != nil {
		return nil, err
	}
	return &PutImageTagMutabilityResponse{RegistryId: ptr(s.account), RepositoryName: ptr(r.Name), ImageTagMutability: ptr(ImageTagMutability(r.Mutability))}, nil
}

// putImageScanningConfiguration records whether images are to be
// scanned on push.
func (s *Service) putImageScanningConfiguration(_ context.Context, in *PutImageScanningConfigurationRequest) (*PutImageScanningConfigurationResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	r, err := s.updateRepo(deref(in.RepositoryName), func(r *repository) error {
		r.ScanOnPush = deref(in.ImageScanningConfiguration.ScanOnPush)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &PutImageScanningConfigurationResponse{RegistryId: ptr(s.account), RepositoryName: ptr(r.Name), ImageScanningConfiguration: &ImageScanningConfiguration{ScanOnPush: ptr(r.ScanOnPush)}}, nil
}

// updateRepo loads a repository, applies f and saves it, under s.mu.
func (s *Service) updateRepo(name string, f func(r *repository) error) (*repository, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.mustRepo(name)
	if err != nil {
		return nil, err
	}
	if err := f(r); err != nil {
		return nil, err
	}
	return r, s.saveRepo(r)
}

func (s *Service) putLifecyclePolicy(_ context.Context, in *PutLifecyclePolicyRequest) (*PutLifecyclePolicyResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	text := deref(in.LifecyclePolicyText)
	if _, err := parseLifecyclePolicy(text); err != nil {
		return nil, ErrInvalidParameter.Withf("Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: %s'", err)
	}
	// ECR keeps and answers the policy without its whitespace.
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(text)); err == nil {
		text = compact.String()
	}
	r, err := s.updateRepo(deref(in.RepositoryName), func(r *repository) error { r.Lifecycle = text; return nil })
	if err != nil {
		return nil, err
	}
	s.lifecycle.dirty.Store(true)
	return &PutLifecyclePolicyResponse{RegistryId: ptr(s.account), RepositoryName: ptr(r.Name), LifecyclePolicyText: ptr(text)}, nil
}

func (s *Service) lifecycleNotFound(name string) error {
	return ErrLifecyclePolicyNotFound.Withf("Lifecycle policy does not exist for the repository with name '%s' in the registry with id '%s'", name, s.account)
}

func (s *Service) getLifecyclePolicy(_ context.Context, in *GetLifecyclePolicyRequest) (*GetLifecyclePolicyResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	r, err := s.mustRepo(deref(in.RepositoryName))
	if err != nil {
		return nil, err
	}
	if r.Lifecycle == "" {
		return nil, s.lifecycleNotFound(r.Name)
	}
	out := &GetLifecyclePolicyResponse{RegistryId: ptr(s.account), RepositoryName: ptr(r.Name), LifecyclePolicyText: ptr(r.Lifecycle)}
	if r.LifecycleEvaluated != 0 {
		out.LastEvaluatedAt = ptr(time.UnixMilli(r.LifecycleEvaluated))
	}
	return out, nil
}

func (s *Service) deleteLifecyclePolicy(_ context.Context, in *DeleteLifecyclePolicyRequest) (*DeleteLifecyclePolicyResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	var text string
	r, err := s.updateRepo(deref(in.RepositoryName), func(r *repository) error {
		if r.Lifecycle == "" {
			return s.lifecycleNotFound(r.Name)
		}
		text, r.Lifecycle, r.LifecycleEvaluated = r.Lifecycle, "", 0
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DeleteLifecyclePolicyResponse{RegistryId: ptr(s.account), RepositoryName: ptr(r.Name), LifecyclePolicyText: ptr(text)}, nil
}

func (s *Service) setRepositoryPolicy(_ context.Context, in *SetRepositoryPolicyRequest) (*SetRepositoryPolicyResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	text := deref(in.PolicyText)
	var doc map[string]any
	if err := json.Unmarshal([]byte(text), &doc); err != nil || doc["Statement"] == nil {
		return nil, ErrInvalidParameter.WithMessage("Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'")
	}
	r, err := s.updateRepo(deref(in.RepositoryName), func(r *repository) error { r.Policy = text; return nil })
	if err != nil {
		return nil, err
	}
	return &SetRepositoryPolicyResponse{RegistryId: ptr(s.account), RepositoryName: ptr(r.Name), PolicyText: ptr(text)}, nil
}

func (s *Service) policyNotFound(name string) error {
	return ErrRepositoryPolicyNotFound.Withf("Repository policy does not exist for the repository with name '%s' in the registry with id '%s'", name, s.account)
}

func (s *Service) getRepositoryPolicy(_ context.Context, in *GetRepositoryPolicyRequest) (*GetRepositoryPolicyResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	r, err := s.mustRepo(deref(in.RepositoryName))
	if err != nil {
		return nil, err
	}
	if r.Policy == "" {
		return nil, s.policyNotFound(r.Name)
	}
	return &GetRepositoryPolicyResponse{RegistryId: ptr(s.account), RepositoryName: ptr(r.Name), PolicyText: ptr(r.Policy)}, nil
}

func (s *Service) deleteRepositoryPolicy(_ context.Context, in *DeleteRepositoryPolicyRequest) (*DeleteRepositoryPolicyResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	var text string
	r, err := s.updateRepo(deref(in.RepositoryName), func(r *repository) error {
		if r.Policy == "" {
			return s.policyNotFound(r.Name)
		}
		text, r.Policy = r.Policy, ""
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DeleteRepositoryPolicyResponse{RegistryId: ptr(s.account), RepositoryName: ptr(r.Name), PolicyText: ptr(text)}, nil
}

// repoFromARN is the repository name an ECR repository ARN names.
func (s *Service) repoFromARN(arn string) (string, error) {
	prefix := "arn:aws:ecr:" + s.region + ":" + s.account + ":repository/"
	name, ok := strings.CutPrefix(arn, prefix)
	if !ok || !validRepoName(name) {
		return "", ErrInvalidParameter.Withf("Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN: %s'", arn)
	}
	return name, nil
}

func (s *Service) tagResource(ctx context.Context, in *TagResourceRequest) (*TagResourceResponse, error) {
	name, err := s.repoFromARN(deref(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	if err := checkTags(ctx, in.Tags); err != nil {
		return nil, err
	}
	_, err = s.updateRepo(name, func(r *repository) error {
		for _, t := range in.Tags {
			r.setTag(deref(t.Key), deref(t.Value))
		}
		if awsproto.UserTags(r.Tags, func(t tag) string { return t.Key }) > maxTags {
			return ErrTooManyTags.WithMessage("Repository may have up to 50 tags")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &TagResourceResponse{}, nil
}

func (s *Service) untagResource(ctx context.Context, in *UntagResourceRequest) (*UntagResourceResponse, error) {
	// AWS sets the aws: tags and only it may take them off.
	if k, ok := awsproto.ForbiddenTagKey(ctx, in.TagKeys, func(k string) string { return k }); ok {
		return nil, reservedTagKey(k)
	}
	name, err := s.repoFromARN(deref(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	_, err = s.updateRepo(name, func(r *repository) error {
		r.Tags = slices.DeleteFunc(r.Tags, func(t tag) bool { return slices.Contains(in.TagKeys, t.Key) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UntagResourceResponse{}, nil
}

func (s *Service) listTagsForResource(_ context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResponse, error) {
	name, err := s.repoFromARN(deref(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	r, err := s.mustRepo(name)
	if err != nil {
		return nil, err
	}
	out := &ListTagsForResourceResponse{Tags: []Tag{}}
	for _, t := range r.Tags {
		out.Tags = append(out.Tags, Tag{Key: ptr(t.Key), Value: ptr(t.Value)})
	}
	return out, nil
}
