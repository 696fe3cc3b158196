package providers_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

func TestECRRepository(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	lifecycle := `{"rules":[{"rulePriority":1,"description":"keep ten","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}}]}`
	props := map[string]any{
		"RepositoryName":             "team/app",
		"ImageTagMutability":         "IMMUTABLE",
		"ImageScanningConfiguration": map[string]any{"ScanOnPush": "true"},
		"LifecyclePolicy":            map[string]any{"LifecyclePolicyText": lifecycle},
		"RepositoryPolicyText": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Effect": "Allow", "Principal": "*", "Action": []any{"ecr:BatchGetImage"}}}},
		"Tags": []any{map[string]any{"Key": "team", "Value": "core"}},
	}
	st := s.create("AWS::ECR::Repository", "Repo", props)
	host := strings.TrimPrefix(s.v.Endpoint, "http://")
	port := host[strings.LastIndexByte(host, ':'):]
	if st.ref() != "team/app" || st.attr("Arn") != "arn:aws:ecr:us-east-1:"+testAccount+":repository/team/app" ||
		st.attr("RepositoryUri") != testAccount+".dkr.ecr.us-east-1.localhost"+port+"/team/app" {
		t.Errorf("Ref %s, attributes %v", st.ref(), st.result.Attributes)
	}
	repo := func(name string) map[string]any {
		return s.call("ecr", "DescribeRepositories", map[string]any{"repositoryNames": []any{name}})["repositories"].([]any)[0].(map[string]any)
	}
	if r := repo("team/app"); r["imageTagMutability"] != "IMMUTABLE" || fmt.Sprint(r["imageScanningConfiguration"]) != "map[scanOnPush:true]" {
		t.Errorf("repository: %v", r)
	}
	if got := s.call("ecr", "GetLifecyclePolicy", map[string]any{"repositoryName": "team/app"})["lifecyclePolicyText"]; got != lifecycle {
		t.Errorf("lifecycle policy %v", got)
	}
	if !sameJSON(t, s.call("ecr", "GetRepositoryPolicy", map[string]any{"repositoryName": "team/app"})["policyText"].(string),
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["ecr:BatchGetImage"]}]}`) {
		t.Errorf("repository policy")
	}
	st.checkReplacement(map[string]map[string]any{
		"RepositoryName":          {"RepositoryName": "other"},
		"EncryptionConfiguration": {"EncryptionConfiguration": map[string]any{"EncryptionType": "KMS"}},
		"ImageTagMutability":      {"ImageTagMutability": "MUTABLE"},
		"LifecyclePolicy":         {"LifecyclePolicy": nil},
	}, "RepositoryName", "EncryptionConfiguration")

	st.update(with(props, map[string]any{"ImageTagMutability": nil, "LifecyclePolicy": nil, "RepositoryPolicyText": nil,
		"Tags": []any{map[string]any{"Key": "env", "Value": "dev"}}}))
	if r := repo("team/app"); r["imageTagMutability"] != "MUTABLE" {
		t.Errorf("mutability after the update: %v", r)
	}
	if code := s.callErr("ecr", "GetLifecyclePolicy", map[string]any{"repositoryName": "team/app"}); code != "LifecyclePolicyNotFoundException" {
		t.Errorf("lifecycle policy after the update: %q", code)
	}
	if code := s.callErr("ecr", "GetRepositoryPolicy", map[string]any{"repositoryName": "team/app"}); code != "RepositoryPolicyNotFoundException" {
		t.Errorf("repository policy after the update: %q", code)
	}
	tags := s.call("ecr", "ListTagsForResource", map[string]any{"resourceArn": st.attr("Arn")})["tags"].([]any)
	if len(tags) != 1 || tags[0].(map[string]any)["Key"] != "env" {
		t.Errorf("tags after the update: %v", tags)
	}

	gen := s.create("AWS::ECR::Repository", "Images", map[string]any{})
	if !strings.HasPrefix(gen.ref(), strings.ToLower(testStack)+"-images-") || gen.ref() != strings.ToLower(gen.ref()) {
		t.Errorf("generated name %s", gen.ref())
	}

	// A repository with an image is not deleted unless EmptyOnDelete.
	putTestImage(t, s, "team/app")
	req := s.request(st.typ.Name, st.logical)
	req.Properties, req.PhysicalID = st.props, st.result.PhysicalID
	if err := st.typ.Delete(context.Background(), req); err == nil || !strings.Contains(err.Error(), "RepositoryNotEmptyException") {
		t.Errorf("deleting a repository with images: %v", err)
	}
	st.props = with(st.props, map[string]any{"EmptyOnDelete": "true"})
	st.delete()
	if code := s.callErr("ecr", "DescribeRepositories", map[string]any{"repositoryNames": []any{"team/app"}}); code != "RepositoryNotFoundException" {
		t.Errorf("after delete: %q", code)
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// putTestImage pushes an image (an empty config and one layer) into a
// repository through ECR's API and returns its manifest.
func putTestImage(t *testing.T, s *stack, repo string) string {
	t.Helper()
	upload := func(data string) string {
		id := s.call("ecr", "InitiateLayerUpload", map[string]any{"repositoryName": repo})["uploadId"]
		s.call("ecr", "UploadLayerPart", map[string]any{"repositoryName": repo, "uploadId": id, "partFirstByte": 0,
			"partLastByte": len(data) - 1, "layerPartBlob": []byte(data)})
		d := "sha256:" + sha256Hex([]byte(data))
		s.call("ecr", "CompleteLayerUpload", map[string]any{"repositoryName": repo, "uploadId": id, "layerDigests": []any{d}})
		return d
	}
	cfg, layer := "{}", "layer bytes"
	m := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,"digest":"%s"},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","size":%d,"digest":"%s"}]}`,
		upload(cfg), len(layer), upload(layer))
	s.call("ecr", "PutImage", map[string]any{"repositoryName": repo, "imageManifest": m, "imageTag": "v1"})
	return m
}
