package lambda

import (
	"context"
	"errors"
)

// createFunction makes a function from a zip deployment package: it
// checks the configuration, extracts the package (refusing one that
// escapes its directory), stores both, and answers with the new
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
	if deref(in.PackageType) == "Image" {
		return nil, invalidParameter("PackageType Image (container image functions) is not supported by virga yet; use PackageType Zip.")
	}
	zip, err := s.zipSource(in.Code.ZipFile, in.Code.S3Bucket, in.Code.S3Key, in.Code.ImageUri)
	if err != nil {
		return nil, err
	}
	if in.Runtime == nil || in.Handler == nil {
		return nil, invalidParameter("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
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
	code, sha, err := s.packageCode(zip, len(in.Code.ZipFile) > 0)
	if err != nil {
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
	layers, layerRefs, err := s.resolveLayers(in.Layers)
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
		Latest:   &version{Config: cfg, Code: code, Layers: layerRefs},
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
// internal/artifacts); Code from it is read through Deps.Artifacts.
const ArtifactBucket = "virga-artifacts"

// Artifacts reads deployment artifacts by key.
type Artifacts interface {
	Get(key string) ([]byte, error)
}

// zipSource returns the package a Code structure uploads: the ZipFile,
// or an artifact virga deploy stored. Other S3 locations and images
// come later.
func (s *Service) zipSource(zip []byte, bucket, key, image *string) ([]byte, error) {
	switch {
	case image != nil:
		return nil, invalidParameter("Container images (ImageUri) are not supported by virga yet; upload the package as ZipFile.")
	case bucket != nil && *bucket == ArtifactBucket && key != nil && s.artifacts != nil:
		data, err := s.artifacts.Get(*key)
		if err != nil {
			return nil, invalidParameter("Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.")
		}
		return data, nil
	case bucket != nil || key != nil:
		return nil, invalidParameter("Code from S3 (S3Bucket, S3Key) is not supported by virga yet; upload the package as ZipFile, or deploy with virga deploy.")
	case len(zip) == 0:
		return nil, invalidParameter("Please provide a source for function code.")
	}
	return zip, nil
}

func (s *Service) exists(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.functions[name] != nil
}

func functionExists(name string) error {
	return ErrResourceConflict.Withf("Function already exist: %s", name)
}
