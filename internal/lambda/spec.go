package lambda

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/virga/virga/internal/functions"
)

// specCache remembers the functions.Spec built for each function
// version, so that a warm invocation builds nothing, and retires a
// version's pool when its Spec changes.
type specCache struct {
	mu      sync.Mutex
	entries map[string]*specEntry // by version ARN
}

type specEntry struct {
	v           *version
	concurrency int
	spec        *functions.Spec
}

// spec returns the Spec of v, a version of fn, with the given
// concurrency, building it (and extracting the code) if needed. A
// version's Key is its ARN and its revision, so that a new configuration
// starts a new pool; the previous pool is retired, and the version's
// provisioned concurrency moves to the new one. A new concurrency keeps
// the pool (package functions takes the limit from each Spec).
func (s *Service) spec(fn *function, v *version, concurrency int) (*functions.Spec, error) {
	arn := s.qualifiedARN(fn.Name, v.name())
	s.specs.mu.Lock()
	e := s.specs.entries[arn]
	s.specs.mu.Unlock()
	if e != nil && e.v == v && e.concurrency == concurrency {
		return e.spec, nil
	}
	var codeDir string
	var image *functions.Image
	if v.Image != nil {
		image = &functions.Image{Ref: s.pullRef(v.Image)}
		if ic := v.Config.ImageConfigResponse; ic != nil && ic.ImageConfig != nil {
			image.EntryPoint = ic.ImageConfig.EntryPoint
			image.Command = ic.ImageConfig.Command
			image.WorkingDir = deref(ic.ImageConfig.WorkingDirectory)
		}
	} else {
		var err error
		if codeDir, err = s.ensureExtracted(v.Code); err != nil {
			return nil, err
		}
	}
	var layerDirs []string
	for _, l := range v.Layers {
		dir, err := s.ensureExtracted(l)
		if err != nil {
			return nil, err
		}
		layerDirs = append(layerDirs, dir)
	}
	c := &v.Config
	role, name := deref(c.Role), fn.Name
	arch := "x86_64"
	if len(c.Architectures) > 0 {
		arch = string(c.Architectures[0])
	}
	var env map[string]string
	if c.Environment != nil {
		env = c.Environment.Variables
	}
	// The ARN functions report is the one the caller invoked; Invocation
	// does not carry it, so $LATEST reports the unqualified ARN (what an
	// unqualified invocation, the usual kind, is called with) and a
	// published version its own.
	reported := arn
	if v.Number == 0 {
		reported = s.functionARN(name)
	}
	spec := &functions.Spec{
		Key:          specKey(arn, v),
		FunctionName: name,
		Version:      v.name(),
		ARN:          reported,
		Runtime:      string(deref(c.Runtime)),
		Handler:      deref(c.Handler),
		CodeDir:      codeDir,
		LayerDirs:    layerDirs,
		Image:        image,
		MemoryMB:     int(deref(c.MemorySize)),
		Timeout:      time.Duration(deref(c.Timeout)) * time.Second,
		EphemeralMB:  int(deref(c.EphemeralStorage.Size)),
		Architecture: arch,
		Env:          env,
		Concurrency:  concurrency,
		Region:       s.region,
		Endpoint:     s.endpoint(),
		Credentials: func(ctx context.Context) (functions.Credentials, error) {
			if s.roles == nil || role == "" {
				return functions.Credentials{}, nil
			}
			return s.roles.AssumeRole(ctx, role, name)
		},
		Logs:          s.logs,
		ParamsSecrets: s.usesParamsSecrets(c.Layers),
	}
	if lc := c.LoggingConfig; lc != nil {
		spec.LogGroup = deref(lc.LogGroup)
		spec.LogFormat = string(deref(lc.LogFormat))
		spec.ApplicationLogLevel = string(deref(lc.ApplicationLogLevel))
		spec.SystemLogLevel = string(deref(lc.SystemLogLevel))
	}
	s.specs.mu.Lock()
	if s.specs.entries == nil {
		s.specs.entries = map[string]*specEntry{}
	}
	old := s.specs.entries[arn]
	s.specs.entries[arn] = &specEntry{v: v, concurrency: concurrency, spec: spec}
	s.specs.mu.Unlock()
	if old != nil && old.spec.Key != spec.Key {
		s.fns.Retire(old.spec.Key)
		if n := provisionedFor(fn, v.name()); n > 0 && v.Number > 0 {
			s.fns.Provision(spec, n)
		}
	}
	return spec, nil
}

// specKey is the pool Key of version v, whose ARN is arn.
func specKey(arn string, v *version) string {
	return arn + "#" + deref(v.Config.RevisionId)
}

// retireVersion forgets the Spec of the version with the given ARN and
// stops its pools (in-flight invocations finish first).
func (s *Service) retireVersion(arn string) {
	s.specs.mu.Lock()
	delete(s.specs.entries, arn)
	s.specs.mu.Unlock()
	s.fns.Retire(arn + "#")
}

// retireFunction forgets the Specs of every version of the function and
// stops their pools.
func (s *Service) retireFunction(name string) {
	prefix := s.functionARN(name) + ":"
	s.specs.mu.Lock()
	for arn := range s.specs.entries {
		if strings.HasPrefix(arn, prefix) {
			delete(s.specs.entries, arn)
		}
	}
	s.specs.mu.Unlock()
	s.fns.Retire(prefix)
}
