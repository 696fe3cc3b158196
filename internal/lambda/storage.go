package lambda

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// How Lambda lays out its data in the store. Every key starts with
// "lambda"; the tuples are:
//
//	("lambda", "fn", NAME, "meta")               functionMeta: last version, reserved concurrency, tags
//	("lambda", "fn", NAME, "v", N)               version N (0 is $LATEST), as JSON
//	("lambda", "fn", NAME, "alias", ALIAS)       AliasConfiguration, as JSON
//	("lambda", "fn", NAME, "policy", QUALIFIER)  policy ("" is the function's)
//	("lambda", "fn", NAME, "eic", QUALIFIER)     FunctionEventInvokeConfig ($LATEST is the function's)
//	("lambda", "fn", NAME, "url", QUALIFIER)     urlConfig, a function URL ("" is the function's)
//	("lambda", "fn", NAME, "pc", QUALIFIER)      provisionedConfig, provisioned concurrency of a version or alias
//	("lambda", "layer", NAME, "meta")            layerMeta: last version
//	("lambda", "layer", NAME, "v", N)            layerVersion N
//	("lambda", "code", SHA256HEX, "meta")        codeMeta: sizes of a stored archive
//	("lambda", "code", SHA256HEX, "chunk", I)    the archive's bytes, in chunks of codeChunk
//	("lambda", "queue", NAME, ENQUEUED, ID)      an accepted asynchronous invocation
//	("lambda", "esm", UUID)                      EventSourceMappingConfiguration
//	("lambda", "url-key")                        the key that signs Code.Location URLs
//
// A function's keys share the prefix ("lambda", "fn", NAME), so deleting
// one is one range deletion. Archives are content-addressed and shared by
// every version and layer with the same bytes.

// codeChunk is the size of one stored piece of an archive.
const codeChunk = 1 << 20

func lambdaKey(parts ...string) []byte {
	k := keys.AppendString(nil, "lambda")
	for _, p := range parts {
		k = keys.AppendString(k, p)
	}
	return k
}

func functionKey(name string) []byte     { return lambdaKey("fn", name) }
func functionMetaKey(name string) []byte { return lambdaKey("fn", name, "meta") }
func versionKey(name string, n int64) []byte {
	return keys.AppendInt(lambdaKey("fn", name, "v"), n)
}
func aliasKey(name, alias string) []byte      { return lambdaKey("fn", name, "alias", alias) }
func policyKey(name, qualifier string) []byte { return lambdaKey("fn", name, "policy", qualifier) }
func provisionedKey(name, qualifier string) []byte {
	return lambdaKey("fn", name, "pc", qualifier)
}
func layerKey(name string) []byte     { return lambdaKey("layer", name) }
func layerMetaKey(name string) []byte { return lambdaKey("layer", name, "meta") }
func layerVersionKey(name string, n int64) []byte {
	return keys.AppendInt(lambdaKey("layer", name, "v"), n)
}
func codeKey(hex string) []byte     { return lambdaKey("code", hex) }
func codeMetaKey(hex string) []byte { return lambdaKey("code", hex, "meta") }
func codeChunkKey(hex string, i int64) []byte {
	return keys.AppendInt(lambdaKey("code", hex, "chunk"), i)
}

// functionMeta is the stored form of what belongs to a function as a
// whole.
type functionMeta struct {
	LastVersion int64
	Reserved    *int32
	Tags        map[string]string
	// RecursiveLoop is "Allow" when the function may run in a recursive
	// loop; empty for Lambda's default, Terminate.
	RecursiveLoop string `json:",omitempty"`
}

// layerMeta is the stored form of a layer.
type layerMeta struct {
	LastVersion int64
}

// codeMeta describes a stored archive.
type codeMeta struct {
	Size, Unzipped int64
}

// writes collects the writes of one change, committed atomically.
type writes struct {
	b   store.Batch
	err error
}

func (s *Service) newWrites() *writes { return &writes{b: s.store.NewBatch()} }

func (w *writes) put(key []byte, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		w.err = errors.Join(w.err, err)
		return
	}
	w.b.Set(key, data)
}

func (w *writes) del(key []byte) { w.b.Delete(key) }

func (w *writes) delPrefix(prefix []byte) { w.b.DeleteRange(prefix, keys.PrefixEnd(prefix)) }

func (w *writes) commit() error {
	defer w.b.Close()
	if w.err != nil {
		return w.err
	}
	return w.b.Commit()
}

func (w *writes) putMeta(f *function) {
	w.put(functionMetaKey(f.Name), functionMeta{LastVersion: f.LastVersion, Reserved: f.Reserved, Tags: f.Tags, RecursiveLoop: f.RecursiveLoop})
}

func (w *writes) putVersion(name string, v *version) { w.put(versionKey(name, v.Number), v) }

// load reads every function and layer into memory.
func (s *Service) load() error {
	it, err := s.store.NewIter(lambdaKey("fn"), keys.PrefixEnd(lambdaKey("fn")))
	if err != nil {
		return err
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		parts, err := keys.Decode(it.Key())
		if err != nil || len(parts) < 4 {
			return fmt.Errorf("lambda: malformed key %q", it.Key())
		}
		name, _ := parts[2].(string)
		f := s.functions[name]
		if f == nil {
			f = &function{Name: name, Aliases: map[string]*AliasConfiguration{}, Policies: map[string]*policy{}}
			s.functions[name] = f
		}
		switch parts[3] {
		case "meta":
			var m functionMeta
			if err := json.Unmarshal(it.Value(), &m); err != nil {
				return fmt.Errorf("lambda: function %s: %w", name, err)
			}
			f.LastVersion, f.Reserved, f.Tags, f.RecursiveLoop = m.LastVersion, m.Reserved, m.Tags, m.RecursiveLoop
		case "v":
			var v version
			if err := json.Unmarshal(it.Value(), &v); err != nil {
				return fmt.Errorf("lambda: function %s: %w", name, err)
			}
			if v.Number == 0 {
				f.Latest = &v
			} else {
				f.Versions = append(f.Versions, &v) // keys are in version order
			}
		case "alias":
			var a AliasConfiguration
			if err := json.Unmarshal(it.Value(), &a); err != nil {
				return fmt.Errorf("lambda: function %s: %w", name, err)
			}
			f.Aliases[parts[4].(string)] = &a
		case "policy":
			var p policy
			if err := json.Unmarshal(it.Value(), &p); err != nil {
				return fmt.Errorf("lambda: function %s: %w", name, err)
			}
			f.Policies[parts[4].(string)] = &p
		case "eic":
			var c FunctionEventInvokeConfig
			if err := json.Unmarshal(it.Value(), &c); err != nil {
				return fmt.Errorf("lambda: function %s: %w", name, err)
			}
			if f.EventInvokeConfigs == nil {
				f.EventInvokeConfigs = map[string]*FunctionEventInvokeConfig{}
			}
			f.EventInvokeConfigs[parts[4].(string)] = &c
		case "url":
			var c urlConfig
			if err := json.Unmarshal(it.Value(), &c); err != nil {
				return fmt.Errorf("lambda: function %s: %w", name, err)
			}
			if f.URLs == nil {
				f.URLs = map[string]*urlConfig{}
			}
			q := parts[4].(string)
			f.URLs[q] = &c
			s.urlIndex[c.ID] = target{Name: name, Qualifier: q}
		case "pc":
			var c provisionedConfig
			if err := json.Unmarshal(it.Value(), &c); err != nil {
				return fmt.Errorf("lambda: function %s: %w", name, err)
			}
			if f.Provisioned == nil {
				f.Provisioned = map[string]*provisionedConfig{}
			}
			f.Provisioned[parts[4].(string)] = &c
		}
	}
	if err := it.Error(); err != nil {
		return err
	}
	for name, f := range s.functions {
		if f.Latest == nil {
			return fmt.Errorf("lambda: function %s has no $LATEST version in the store", name)
		}
	}
	s.tally()
	return s.loadLayers()
}

func (s *Service) loadLayers() error {
	it, err := s.store.NewIter(lambdaKey("layer"), keys.PrefixEnd(lambdaKey("layer")))
	if err != nil {
		return err
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		parts, err := keys.Decode(it.Key())
		if err != nil || len(parts) < 4 {
			return fmt.Errorf("lambda: malformed key %q", it.Key())
		}
		name, _ := parts[2].(string)
		l := s.layers[name]
		if l == nil {
			l = &layer{Name: name}
			s.layers[name] = l
		}
		switch parts[3] {
		case "meta":
			var m layerMeta
			if err := json.Unmarshal(it.Value(), &m); err != nil {
				return fmt.Errorf("lambda: layer %s: %w", name, err)
			}
			l.LastVersion = m.LastVersion
		case "v":
			var v layerVersion
			if err := json.Unmarshal(it.Value(), &v); err != nil {
				return fmt.Errorf("lambda: layer %s: %w", name, err)
			}
			l.Versions = append(l.Versions, &v)
		}
	}
	return it.Error()
}

// loadURLKey returns the key that signs Code.Location URLs, making and
// storing one the first time, so that URLs survive a restart.
func (s *Service) loadURLKey() ([]byte, error) {
	k := lambdaKey("url-key")
	v, err := s.store.Get(k)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(k, key)
	if err := b.Commit(); err != nil {
		return nil, err
	}
	return key, nil
}

// putCode adds an archive's bytes to w, unless the store has them.
func (s *Service) putCode(w *writes, ref codeRef, data []byte) error {
	if ref.Hex == "" {
		return nil // a container image function's: no package
	}
	if _, err := s.store.Get(codeMetaKey(ref.Hex)); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	for i := int64(0); i*codeChunk < int64(len(data)); i++ {
		end := min((i+1)*codeChunk, int64(len(data)))
		w.b.Set(codeChunkKey(ref.Hex, i), data[i*codeChunk:end])
	}
	w.put(codeMetaKey(ref.Hex), codeMeta{Size: ref.Size, Unzipped: ref.Unzipped})
	return nil
}

// readCode returns a stored archive's bytes.
func (s *Service) readCode(hex string) ([]byte, error) {
	prefix := lambdaKey("code", hex, "chunk")
	it, err := s.store.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []byte
	for it.First(); it.Valid(); it.Next() {
		out = append(out, it.Value()...)
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	if out == nil {
		return nil, fmt.Errorf("lambda: archive %s is not in the store", hex)
	}
	return out, nil
}

// collectCode deletes the archives in candidates that no function version
// or layer version uses any more, from the store (through w) and from the
// extraction cache. It runs under s.mu, with the state after the change.
func (s *Service) collectCode(w *writes, candidates ...codeRef) []string {
	used := map[string]bool{}
	for _, f := range s.functions {
		for _, v := range append([]*version{f.Latest}, f.Versions...) {
			used[v.Code.Hex] = true
			for _, l := range v.Layers {
				used[l.Hex] = true
			}
		}
	}
	for _, l := range s.layers {
		for _, v := range l.Versions {
			used[v.Code.Hex] = true
		}
	}
	var gone []string
	for _, c := range candidates {
		if c.Hex == "" || used[c.Hex] || slices.Contains(gone, c.Hex) {
			continue
		}
		w.delPrefix(codeKey(c.Hex))
		gone = append(gone, c.Hex)
	}
	return gone
}
