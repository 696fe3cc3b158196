package e2e_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/virga/virga/internal/e2e"
)

// registryLogin is docker login's credentials for the caller of c.
func registryLogin(t *testing.T, c *ecr.Client) remote.Option {
	t.Helper()
	out, err := c.GetAuthorizationToken(context.Background(), &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatalf("GetAuthorizationToken: %v", err)
	}
	raw, _ := base64.StdEncoding.DecodeString(*out.AuthorizationData[0].AuthorizationToken)
	user, pass, _ := strings.Cut(string(raw), ":")
	return remote.WithAuth(&authn.Basic{Username: user, Password: pass})
}

func pullImage(env *e2e.Env, ref string, auth remote.Option) error {
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		return err
	}
	img, err := remote.Image(r, remote.WithTransport(registryTransport(env)), auth)
	if err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	for _, l := range layers {
		rc, err := l.Compressed()
		if err != nil {
			return err
		}
		rc.Close()
	}
	return nil
}

func wantRegistryDenied(t *testing.T, what string, err error, message string) {
	t.Helper()
	var te *transport.Error
	if !errors.As(err, &te) || te.StatusCode != 403 || len(te.Errors) != 1 || te.Errors[0].Code != "DENIED" || te.Errors[0].Message != message {
		t.Errorf("%s: %v\nwant 403 DENIED %q", what, err, message)
	}
}

// TestECRRegistryIAM: under --auth iam the registry authorizes each
// push and pull for the principal that asked for the token, as ECR
// does: a read-only user pulls and is denied the push (403 DENIED in
// IAM's wording), a user with no ECR rights pulls a repository whose
// policy names it (and is held to that repository), the root may do
// anything.
func TestECRRegistryIAM(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	root := ecr.NewFromConfig(env.Config)
	app := createRepo(t, root, "app")
	shared := createRepo(t, root, "shared")
	rootAuth := registryLogin(t, root)
	pushImage(t, env, *app.RepositoryUri+":v1", 1, rootAuth)
	pushImage(t, env, *shared.RepositoryUri+":v1", 1, rootAuth)
	repoARN := "arn:aws:ecr:us-east-1:" + testAccount + ":repository/"

	// AmazonEC2ContainerRegistryReadOnly's actions, inline.
	reader := ecr.NewFromConfig(iamUser(t, env, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[
		"ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:GetRepositoryPolicy",
		"ecr:DescribeRepositories","ecr:ListImages","ecr:DescribeImages","ecr:BatchGetImage","ecr:GetLifecyclePolicy",
		"ecr:GetLifecyclePolicyPreview","ecr:ListTagsForResource","ecr:DescribeImageScanFindings"],"Resource":"*"}]}`))
	readerAuth := registryLogin(t, reader)
	if err := pullImage(env, *app.RepositoryUri+":v1", readerAuth); err != nil {
		t.Errorf("reader pull: %v", err)
	}
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(*app.RepositoryUri+":v2", name.Insecure)
	err = remote.Write(ref, img, remote.WithTransport(registryTransport(env)), readerAuth)
	wantRegistryDenied(t, "reader push", err, "User: arn:aws:iam::"+testAccount+":user/reader is not authorized to perform: ecr:InitiateLayerUpload on resource: "+
		repoARN+"app because no identity-based policy allows the ecr:InitiateLayerUpload action")

	// A user that may only get a token pulls what a repository policy
	// grants it, and nothing else.
	outsider := ecr.NewFromConfig(iamUser(t, env, "outsider",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}]}`))
	outsiderAuth := registryLogin(t, outsider)
	if _, err := root.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String("shared"),
		PolicyText: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow",
		"Principal":{"AWS":"arn:aws:iam::` + testAccount + `:user/outsider"},
		"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"]}]}`)}); err != nil {
		t.Fatal(err)
	}
	if err := pullImage(env, *shared.RepositoryUri+":v1", outsiderAuth); err != nil {
		t.Errorf("outsider pull of shared: %v", err)
	}
	wantRegistryDenied(t, "outsider pull of app", pullImage(env, *app.RepositoryUri+":v1", outsiderAuth),
		"User: arn:aws:iam::"+testAccount+":user/outsider is not authorized to perform: ecr:BatchGetImage on resource: "+
			repoARN+"app because no identity-based policy allows the ecr:BatchGetImage action")
	ref, _ = name.ParseReference(*shared.RepositoryUri+":v2", name.Insecure)
	err = remote.Write(ref, img, remote.WithTransport(registryTransport(env)), outsiderAuth)
	wantRegistryDenied(t, "outsider push to shared", err, "User: arn:aws:iam::"+testAccount+":user/outsider is not authorized to perform: ecr:InitiateLayerUpload on resource: "+
		repoARN+"shared because no identity-based policy allows the ecr:InitiateLayerUpload action")
	// The API's calls weigh the repository policy too.
	ids := []ecrtypes.ImageIdentifier{{ImageTag: aws.String("v1")}}
	if _, err := outsider.BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: aws.String("shared"), ImageIds: ids}); err != nil {
		t.Errorf("outsider BatchGetImage on shared: %v", err)
	}
	_, err = outsider.BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: aws.String("app"), ImageIds: ids})
	wantDenied(t, err, "AccessDeniedException", 400, "User: arn:aws:iam::"+testAccount+":user/outsider is not authorized to perform: ecr:BatchGetImage on resource: "+
		repoARN+"app because no identity-based policy allows the ecr:BatchGetImage action")
	// The catalog lists only what the caller may describe.
	resp, body := regDo(t, env, "GET", "/v2/_catalog", nil, map[string]string{"Authorization": "Basic " + basicOf(t, outsider)})
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"repositories":[]}` {
		t.Errorf("outsider catalog: %d %s", resp.StatusCode, body)
	}

	// The root's token pushes anywhere.
	pushImage(t, env, *shared.RepositoryUri+":v3", 1, rootAuth)
	if err := pullImage(env, *shared.RepositoryUri+":v3", rootAuth); err != nil {
		t.Errorf("root pull: %v", err)
	}
}

// basicOf is the base64 user:password GetAuthorizationToken gives c's
// caller.
func basicOf(t *testing.T, c *ecr.Client) string {
	t.Helper()
	out, err := c.GetAuthorizationToken(context.Background(), &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	return *out.AuthorizationData[0].AuthorizationToken
}
