package lambda

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// createFunction makes a function from a zip deployment package or, with
// PackageType Image, a container image in virga's ECR (resolved to its
// digest now): it checks the configuration, extracts the package
// (refusing one that escapes its directory), stores both, and answers with the new
// function's configuration in the Pending state Lambda reports while it
// prepares a function (virga is done by then: GetFunction says Active).
func (s *Service) createFunction(ctx context.Context, in *CreateFunctionRequest) (*FunctionConfiguration, error) {
	t, err := s.parseTarget(*in.FunctionName, nil)
	if errors.Is(err, ErrAccessDenied) {
		// Creating a function in another account is refused with no
		// message (recorded from Lambda).
		return nil, ErrAccessDenied
	}
	if err != nil {
		return nil, err
	}
	if t.Qualifier != "" {
		return nil, invalidParameter("Invalid function name: %s. A function name cannot have a qualifier when creating a function.", *in.FunctionName)
	}
	if len(t.Name) > maxFunctionName {
		// The model allows 140 characters, for an ARN; the name in it is
		// held to 64, by the service, hence not a ValidationException.
		return nil, invalidParameter("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: "+
			"Member must have length less than or equal to %d", *in.FunctionName, maxFunctionName)
	}
	image := deref(in.PackageType) == "Image"
	var zip []byte
	var img *imageCode
	if image {
		if in.Runtime != nil || in.Handler != nil || len(in.Layers) > 0 {
			return nil, errImageSettings()
		}
		if in.Code.ImageUri == nil {
			return nil, invalidParameter("Please provide a source for function code.")
		}
		if img, err = s.resolveImage(*in.Code.ImageUri); err != nil {
			return nil, err
		}
		if err = s.checkImageAccess(ctx, t.Name, img); err != nil {
			return nil, err
		}
	} else {
		if zip, err = s.zipSource(ctx, in.Code.ZipFile, s3Code{in.Code.S3Bucket, in.Code.S3Key, in.Code.S3ObjectVersion}, in.Code.ImageUri); err != nil {
			return nil, err
		}
		if in.Runtime == nil || in.Handler == nil {
			return nil, invalidParameter("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
		}
	}
	cfg := s.newConfig(t.Name)
	if err := s.apply(&cfg, settings{
		Runtime: in.Runtime, Role: in.Role, Handler: in.Handler, Description: in.Description,
		Timeout: in.Timeout, MemorySize: in.MemorySize, VpcConfig: in.VpcConfig, Environment: in.Environment,
		DeadLetterConfig: in.DeadLetterConfig, KMSKeyArn: in.KMSKeyArn, TracingConfig: in.TracingConfig,
		FileSystemConfigs: in.FileSystemConfigs, ImageConfig: in.ImageConfig, EphemeralStorage: in.EphemeralStorage,
		SnapStart: in.SnapStart, LoggingConfig: in.LoggingConfig,
	}); err != nil {
		return nil, err
	}
	if len(in.Architectures) > 0 {
		cfg.Architectures = in.Architectures
	}
	if err := s.checkHostRuntime(in.Runtime); err != nil {
		return nil, err
	}
	if s.exists(t.Name) {
		return nil, functionExists(t.Name)
	}
	if err := s.checkExecutionRole(ctx, deref(cfg.Role), t.Name, deadLetterTarget(cfg.DeadLetterConfig)); err != nil {
		return nil, err
	}
	// The layers virga builds are built before the package is extracted,
	// so that a registry out of reach leaves nothing to clean up.
	built, err := s.buildAWSLayers(ctx, in.Layers)
	if err != nil {
		return nil, err
	}
	var code codeRef
	var sha string
	if image {
		cfg.PackageType = ptr(PackageType("Image"))
		sha = strings.TrimPrefix(img.Digest, "sha256:")
	} else if code, sha, err = s.packageCode(zip, len(in.Code.ZipFile) > 0); err != nil {
		return nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	committed := false
	defer func() {
		if !committed {
			s.removeExtracted(s.unusedCode(code))
		}
	}()
	if s.functions[t.Name] != nil {
		return nil, functionExists(t.Name)
	}
	layers, layerRefs, err := s.resolveLayers(in.Layers, built)
	if err != nil {
		return nil, err
	}
	if err := checkUnzipped(code, layerRefs); err != nil {
		return nil, err
	}
	cfg.Layers = layers
	cfg.CodeSha256, cfg.CodeSize = ptr(sha), ptr(code.Size)
	cfg.LastModified = ptr(lambdaTime(s.clock.Now()))
	cfg.RevisionId = ptr(s.ids.UUID())
	fn := &function{
		Name:     t.Name,
		Latest:   &version{Config: cfg, Code: code, Layers: layerRefs, Image: img},
		Aliases:  map[string]*AliasConfiguration{},
		Tags:     copyTags(in.Tags),
		Policies: map[string]*policy{},
	}
	w := s.newWrites()
	if err := s.putCode(w, code, zip); err != nil {
		return nil, err
	}
	out := fn.Latest
	if deref(in.Publish) {
		out = s.newVersion(fn, nil)
		fn.Versions = append(fn.Versions, out)
		w.putVersion(fn.Name, out)
	}
	w.putMeta(fn)
	w.putVersion(fn.Name, fn.Latest)
	if err := w.commit(); err != nil {
		return nil, err
	}
	s.functions[t.Name] = fn
	committed = true
	// A function being created is Pending, without a last update, even
	// with Publish: Lambda answers with version 1's configuration under
	// the function's unqualified ARN.
	resp := s.creating(&out.Config)
	resp.FunctionArn = ptr(s.functionARN(fn.Name))
	return resp, nil
}

// ArtifactBucket is the bucket `virga deploy` puts packages in (see
// internal/artifacts); Code from it is read through Deps.Artifacts when
// the artifact is there, and from S3 otherwise.
const ArtifactBucket = "virga-artifacts"

// Artifacts reads deployment artifacts by key.
type Artifacts interface {
	Get(key string) ([]byte, error)
}

// Objects reads objects from virga's S3, as Lambda reads a package from
// S3Bucket and S3Key. Errors are S3's (*apierr.Error with S3's code and
// message).
type Objects interface {
	Object(ctx context.Context, bucket, key, versionID string) (io.ReadCloser, int64, error)
}

// s3Code is where a Code or Content structure says a package is in S3.
type s3Code struct {
	bucket, key, version *string
}

// zipSource returns the package a Code structure uploads: the ZipFile,
// or the object S3Bucket, S3Key and S3ObjectVersion name (an artifact
// virga deploy stored, or an object in virga's S3).
func (s *Service) zipSource(ctx context.Context, zip []byte, loc s3Code, image *string) ([]byte, error) {
	switch {
	case image != nil:
		// Lambda's wording for an ImageUri without PackageType Image
		// is unconfirmed.
		return nil, invalidParameter("Please provide a source for function code. ImageUri needs PackageType Image.")
	case loc.bucket != nil || loc.key != nil:
		if loc.bucket == nil || loc.key == nil {
			// Lambda's wording for half an S3 location is unconfirmed;
			// this is its sentence for a Code without a package.
			return nil, invalidParameter("Please provide a source for function code.")
		}
		return s.s3Package(ctx, *loc.bucket, *loc.key, deref(loc.version))
	case len(zip) == 0:
		return nil, invalidParameter("Please provide a source for function code.")
	}
	return zip, nil
}

// s3Package reads a package from S3 as Lambda does, with Lambda's
// wording of S3's errors: "Error occurred while GetObject. S3 Error
// Code: NoSuchKey. S3 Error Message: The specified key does not exist."
func (s *Service) s3Package(ctx context.Context, bucket, key, version string) ([]byte, error) {
	if bucket == ArtifactBucket && s.artifacts != nil && version == "" {
		if data, err := s.artifacts.Get(key); err == nil {
			return data, nil
		}
	}
	if s.objects == nil {
		return nil, getObjectError(s3NoSuchBucket)
	}
	rc, size, err := s.objects.Object(ctx, bucket, key, version)
	if err != nil {
		if e := apierr.As(err); e != nil && e.Status < 500 {
			return nil, getObjectError(e)
		}
		return nil, err
	}
	defer rc.Close()
	if size > maxUnzipped {
		return nil, invalidParameter("Unzipped size must be smaller than %d bytes", maxUnzipped)
	}
	data, err := io.ReadAll(io.LimitReader(rc, size))
	if err != nil {
		return nil, err
	}
	return data, nil
}

// s3NoSuchBucket is S3's answer for a bucket that does not exist.
var s3NoSuchBucket = apierr.New("NoSuchBucket", 404, "The specified bucket does not exist")

func getObjectError(e *apierr.Error) error {
	return invalidParameter("Error occurred while GetObject. S3 Error Code: %s. S3 Error Message: %s", e.Code, e.Message)
}

func (s *Service) exists(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.functions[name] != nil
}

func functionExists(name string) error {
	return ErrResourceConflict.Withf("Function already exist: %s", name)
}
