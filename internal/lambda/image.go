package lambda

import (
	"context"
	"net/url"
	"regexp"
	"strings"
)

// Images finds images in virga's ECR registry.
type Images interface {
	// ImageDigest returns the digest of the image repo holds under
	// reference (a tag or a digest), or "" when there is none.
	ImageDigest(repo, reference string) (string, error)
}

// imageCode is a container image function's image: the ImageUri it was
// given and the digest that named when it was given (ResolvedImageUri
// is the URI's repository at that digest). The function runs that
// digest until its code is updated, as Lambda does.
type imageCode struct {
	URI    string
	Repo   string
	Digest string
}

// resolved is ResolvedImageUri: the ImageUri's repository at the digest.
func (c *imageCode) resolved() string {
	host, _, _ := strings.Cut(c.URI, "/")
	return host + "/" + c.Repo + "@" + c.Digest
}

// imageURIRe is an ECR image URI: the registry host
// (ACCOUNT.dkr.ecr.REGION.amazonaws.com, or virga's
// ACCOUNT.dkr.ecr.REGION.localhost with a port), the repository, and a
// tag or a digest.
var imageURIRe = regexp.MustCompile(`^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.(?:amazonaws\.com|localhost(?::\d{1,5})?)/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)(?::([A-Za-z0-9_][A-Za-z0-9._-]{0,127})|@(sha256:[a-f0-9]{64}))$`)

// parseImageURI splits an ECR image URI into its registry's account and
// region, its repository, and its tag or digest.
func parseImageURI(uri string) (account, region, repo, ref string, ok bool) {
	m := imageURIRe.FindStringSubmatch(uri)
	if m == nil {
		return "", "", "", "", false
	}
	ref = m[4]
	if ref == "" {
		ref = m[5]
	}
	return m[1], m[2], m[3], ref, true
}

// resolveImage checks an ImageUri as Lambda does: it must name an image
// in this account's and region's registry, by tag or digest ("Source
// image URI is not valid. Provide a valid source image." otherwise), and
// the image must exist ("Source image URI does not exist. Provide a
// valid source image.").
func (s *Service) resolveImage(uri string) (*imageCode, error) {
	account, region, repo, ref, ok := parseImageURI(uri)
	if !ok || account != s.account || region != s.region {
		return nil, invalidParameter("Source image %s is not valid. Provide a valid source image.", uri)
	}
	digest := ""
	if s.images != nil {
		var err error
		if digest, err = s.images.ImageDigest(repo, ref); err != nil {
			return nil, err
		}
	}
	if digest == "" {
		return nil, invalidParameter("Source image %s does not exist. Provide a valid source image.", uri)
	}
	return &imageCode{URI: uri, Repo: repo, Digest: digest}, nil
}

// ImageAccess decides whether Lambda may read the image repository repo
// holds for the function functionARN, on behalf of the caller in ctx;
// a refusal is ErrImageAccessDenied. internal/app wires it with --auth
// iam (EnforceImageAccess).
type ImageAccess func(ctx context.Context, functionARN, repo string) error

// EnforceImageAccess has CreateFunction and UpdateFunctionCode of image
// functions check, through access, that Lambda may read the image's
// repository. Without it every repository of virga's ECR is readable.
// Call it before serving.
func (s *Service) EnforceImageAccess(access ImageAccess) { s.imageAccess = access }

// checkImageAccess is EnforceImageAccess's check of an image for the
// function named name.
func (s *Service) checkImageAccess(ctx context.Context, name string, img *imageCode) error {
	if s.imageAccess == nil {
		return nil
	}
	return s.imageAccess(ctx, s.functionARN(name), img.Repo)
}

// pullRef is the reference the node agent pulls an image function's
// image by: the digest in virga's registry, at virga's own port.
func (s *Service) pullRef(c *imageCode) string {
	host := s.account + ".dkr.ecr." + s.region + ".localhost"
	if u, err := url.Parse(s.endpoint()); err == nil && u.Port() != "" {
		host += ":" + u.Port()
	}
	return host + "/" + c.Repo + "@" + c.Digest
}

// errImageSettings is Lambda's answer to a Handler, Runtime or Layers
// given for a container image function.
func errImageSettings() error {
	return invalidParameter("Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image.")
}
