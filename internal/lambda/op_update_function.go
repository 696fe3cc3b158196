package lambda

import (
	"context"
	"strings"
)

// latestForUpdate returns the function an update of $LATEST names, under
// s.mu: the name must be unqualified (or qualified with $LATEST), and
// the RevisionId, when given, must be $LATEST's.
func (s *Service) latestForUpdate(name string, revisionID *string) (*function, error) {
	t, err := s.parseTarget(name, nil)
	if err != nil {
		return nil, err
	}
	fn := s.functions[t.Name]
	if fn == nil {
		return nil, functionNotFound(s.arn(t))
	}
	if t.Qualifier != "" && t.Qualifier != latest {
		return nil, invalidParameter("Only $LATEST can be updated: versions are immutable. Remove the qualifier %s.", t.Qualifier)
	}
	if revisionID != nil && *revisionID != deref(fn.Latest.Config.RevisionId) {
		return nil, ErrPreconditionFailed
	}
	return fn, nil
}

// updating is how UpdateFunctionCode and UpdateFunctionConfiguration
// answer: the update is in progress (it is done by the time anyone asks
// GetFunction again). The answer carries a revision of its own: Lambda
// gives the function a new RevisionId when the update completes, so the
// one in the answer is never the one GetFunction reports afterwards.
func (s *Service) updating(c *FunctionConfiguration) *FunctionConfiguration {
	out := copyConfig(c)
	out.LastUpdateStatus = ptr(LastUpdateStatus("InProgress"))
	out.LastUpdateStatusReason = ptr("The function is being created.")
	out.LastUpdateStatusReasonCode = ptr(LastUpdateStatusReasonCode("Creating"))
	out.RevisionId = ptr(s.ids.UUID())
	return &out
}

// creating is how CreateFunction, and an update that publishes a
// version, answer for the configuration being created: Pending, without
// a last update, and with a revision of its own, as the configuration
// gets a new one when it becomes Active.
func (s *Service) creating(c *FunctionConfiguration) *FunctionConfiguration {
	out := copyConfig(c)
	out.State, out.StateReason, out.StateReasonCode = ptr(State("Pending")), ptr("The function is being created."), ptr(StateReasonCode("Creating"))
	out.LastUpdateStatus, out.LastUpdateStatusReason, out.LastUpdateStatusReasonCode = nil, nil, nil
	out.RevisionId = ptr(s.ids.UUID())
	return &out
}

// updateFunctionCode replaces $LATEST's deployment package (and perhaps
// its architecture), and publishes a version if asked. DryRun checks the
// package and changes nothing.
func (s *Service) updateFunctionCode(ctx context.Context, in *UpdateFunctionCodeRequest) (*FunctionConfiguration, error) {
	s.mu.RLock()
	fn, err := s.latestForUpdate(*in.FunctionName, in.RevisionId)
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	var zip []byte
	var img *imageCode
	var code codeRef
	var sha string
	if fn.Latest.Image != nil {
		// An image function's code is an image, a zip function's a
		// package: the package type cannot change.
		if in.ImageUri == nil || in.ZipFile != nil || in.S3Bucket != nil || in.S3Key != nil {
			return nil, invalidParameter("Please provide ImageUri when updating a function with packageType Image.")
		}
		if img, err = s.resolveImage(*in.ImageUri); err != nil {
			return nil, err
		}
		if err = s.checkImageAccess(ctx, deref(fn.Latest.Config.FunctionName), img); err != nil {
			return nil, err
		}
		sha = strings.TrimPrefix(img.Digest, "sha256:")
	} else {
		if zip, err = s.zipSource(ctx, in.ZipFile, s3Code{in.S3Bucket, in.S3Key, in.S3ObjectVersion}, in.ImageUri); err != nil {
			return nil, err
		}
		if code, sha, err = s.packageCode(zip, len(in.ZipFile) > 0); err != nil {
			return nil, err
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	committed := false
	defer func() {
		if !committed {
			s.removeExtracted(s.unusedCode(code))
		}
	}()
	if fn, err = s.latestForUpdate(*in.FunctionName, in.RevisionId); err != nil {
		return nil, err
	}
	if (fn.Latest.Image != nil) != (img != nil) {
		// The function was replaced by one of the other package type
		// since the checks above.
		return nil, ErrResourceConflict.Withf("The function %s was changed during the update; try again.", fn.Name)
	}
	if err := checkUnzipped(code, fn.Latest.Layers); err != nil {
		return nil, err
	}
	old := fn.Latest
	cfg := copyConfig(&old.Config)
	cfg.CodeSha256, cfg.CodeSize = ptr(sha), ptr(code.Size)
	if len(in.Architectures) > 0 {
		cfg.Architectures = in.Architectures
	}
	cfg.LastModified = ptr(lambdaTime(s.clock.Now()))
	cfg.RevisionId = ptr(s.ids.UUID())
	if deref(in.DryRun) {
		return s.updating(&cfg), nil
	}
	fn = fn.clone()
	fn.Latest = &version{Config: cfg, Code: code, Layers: old.Layers, Image: img}
	w := s.newWrites()
	if err := s.putCode(w, code, zip); err != nil {
		return nil, err
	}
	out := fn.Latest
	if deref(in.Publish) {
		out = s.newVersion(fn, nil)
		fn.Versions = append(fn.Versions, out)
		w.putVersion(fn.Name, out)
		w.putMeta(fn)
	}
	w.putVersion(fn.Name, fn.Latest)
	if err := s.commitFunction(w, fn, old.Code); err != nil {
		return nil, err
	}
	committed = true
	s.retireVersion(s.qualifiedARN(fn.Name, latest))
	if out != fn.Latest {
		// The version published is answered as one being created (as
		// Lambda answers).
		return s.creating(&out.Config), nil
	}
	return s.updating(&out.Config), nil
}

// updateFunctionConfiguration changes $LATEST's configuration.
func (s *Service) updateFunctionConfiguration(ctx context.Context, in *UpdateFunctionConfigurationRequest) (*FunctionConfiguration, error) {
	// A missing function is answered before the checks and builds
	// below, which can take minutes; the update checks again under s.mu.
	s.mu.RLock()
	_, err := s.latestForUpdate(*in.FunctionName, in.RevisionId)
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	if in.Role != nil || in.DeadLetterConfig != nil {
		// The role (new or kept) must be one Lambda can assume and that
		// may send to the dead-letter target (new or kept). The check
		// reads other services' policies: it runs before s.mu is taken.
		role, dlq, name := s.latestRole(*in.FunctionName)
		if in.Role != nil {
			role = *in.Role
		}
		if in.DeadLetterConfig != nil {
			dlq = deadLetterTarget(in.DeadLetterConfig)
		}
		if name != "" {
			if err := s.checkExecutionRole(ctx, role, name, dlq); err != nil {
				return nil, err
			}
		}
	}
	built, err := s.buildAWSLayers(ctx, in.Layers)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, err := s.latestForUpdate(*in.FunctionName, in.RevisionId)
	if err != nil {
		return nil, err
	}
	old := fn.Latest
	if old.Image != nil && (in.Runtime != nil || in.Handler != nil || in.Layers != nil) {
		return nil, errImageSettings()
	}
	cfg := copyConfig(&old.Config)
	if err := s.apply(&cfg, settings{
		Runtime: in.Runtime, Role: in.Role, Handler: in.Handler, Description: in.Description,
		Timeout: in.Timeout, MemorySize: in.MemorySize, VpcConfig: in.VpcConfig, Environment: in.Environment,
		DeadLetterConfig: in.DeadLetterConfig, KMSKeyArn: in.KMSKeyArn, TracingConfig: in.TracingConfig,
		FileSystemConfigs: in.FileSystemConfigs, ImageConfig: in.ImageConfig, EphemeralStorage: in.EphemeralStorage,
		SnapStart: in.SnapStart, LoggingConfig: in.LoggingConfig,
	}); err != nil {
		return nil, err
	}
	if err := s.checkHostRuntime(in.Runtime); err != nil {
		return nil, err
	}
	layerRefs := old.Layers
	if in.Layers != nil {
		layers, refs, err := s.resolveLayers(in.Layers, built)
		if err != nil {
			return nil, err
		}
		if err := checkUnzipped(old.Code, refs); err != nil {
			return nil, err
		}
		cfg.Layers, layerRefs = layers, refs
	}
	cfg.LastModified = ptr(lambdaTime(s.clock.Now()))
	cfg.RevisionId = ptr(s.ids.UUID())
	fn = fn.clone()
	fn.Latest = &version{Config: cfg, Code: old.Code, Layers: layerRefs, Image: old.Image}
	w := s.newWrites()
	w.putVersion(fn.Name, fn.Latest)
	if err := s.commitFunction(w, fn, old.Layers...); err != nil {
		return nil, err
	}
	s.retireVersion(s.qualifiedARN(fn.Name, latest))
	return s.updating(&fn.Latest.Config), nil
}

// commitFunction commits w, which changes fn, and makes fn the
// function's state; archives in released that nothing uses any more are
// deleted with it. It runs under s.mu.
func (s *Service) commitFunction(w *writes, fn *function, released ...codeRef) error {
	prev, had := s.functions[fn.Name]
	s.functions[fn.Name] = fn
	gone := s.collectCode(w, released...)
	if err := w.commit(); err != nil {
		if had {
			s.functions[fn.Name] = prev
		} else {
			delete(s.functions, fn.Name)
		}
		s.tally()
		return err
	}
	s.tally()
	s.removeExtracted(gone)
	return nil
}

// unusedCode returns ref's hash if nothing uses that archive (so that an
// extraction for a dry run can be cleaned up). It runs under s.mu.
func (s *Service) unusedCode(ref codeRef) []string {
	w := s.newWrites()
	defer w.b.Close()
	return s.collectCode(w, ref)
}
