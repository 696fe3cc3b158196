package functions

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/functions/bootstraps"
	"github.com/virga/virga/internal/functions/sandbox"
	"github.com/virga/virga/internal/ids"
)

// Defaults of Options.
const (
	// DefaultIdleTimeout is how long an unused environment stays warm.
	DefaultIdleTimeout = 10 * time.Minute
	// DefaultInitTimeout: "The Init phase is limited to 10 seconds."
	DefaultInitTimeout = 10 * time.Second
	// DefaultConcurrency: the account's default concurrency limit, "1,000
	// concurrent executions".
	DefaultConcurrency = 1000
)

// Options configure Pools. The zero value works.
type Options struct {
	// WorkDir holds the runtimes' bootstraps and, for environments
	// without namespaces, their scratch directories. Default: a
	// directory under the system's temporary directory named by the
	// bootstraps' digest (DefaultWorkDir).
	WorkDir string
	// IdleTimeout is how long an environment may stay unused before it
	// is reaped (DefaultIdleTimeout).
	IdleTimeout time.Duration
	// InitTimeout limits a runtime's initialization (DefaultInitTimeout).
	InitTimeout time.Duration
	// DefaultConcurrency applies to Specs without a Concurrency.
	DefaultConcurrency int
	// MaxLogBytes is how much output one invocation may log before the
	// rest of it is cut (10 MB); the cap resets with each invocation.
	MaxLogBytes int64
	// Plain runs functions as plain processes even as root.
	Plain bool
	// Python, Node, Ruby and Java are the interpreters for python3.x,
	// nodejs*.x, ruby3.x and java* functions; empty means python3, node,
	// ruby and java from PATH. Java's JDK also compiles the Java
	// bootstrap, once (its javac, or javac from PATH).
	Python, Node, Ruby, Java string
	// XRayDaemon is the address (host:port) of the X-Ray daemon functions
	// send segments to (AWS_XRAY_DAEMON_ADDRESS); empty sets none.
	XRayDaemon string
	// CAFile and CABundleFile, when set, are the certificates functions
	// trust for HTTPS to virga (package localtls): CAFile virga's
	// authority alone, for NODE_EXTRA_CA_CERTS, which adds to Node's
	// roots; CABundleFile the system's roots and virga's, for
	// AWS_CA_BUNDLE, which replaces the SDKs' roots (botocore's,
	// aws-sdk-go-v2's). Sandboxed environments see them at
	// /var/virga/ca.pem and /var/virga/bundle.pem.
	CAFile, CABundleFile string
	// Containers runs container image functions (Spec.Image): the node
	// agent. Without it their invocations fail (ServiceException).
	Containers Containers
	// ParamsSecrets serves the AWS Parameters and Secrets Lambda
	// Extension's API to environments whose Spec asks for it. Without it
	// they run without the extension and log that they do.
	ParamsSecrets ParamsSecrets
	// Clock, IDs and Logger default to the real clock, random ids and a
	// discarding logger.
	Clock  clock.Clock
	IDs    *ids.Generator
	Logger *slog.Logger
}

// Pools is the Manager: a pool of execution environments per function
// version.
type Pools struct {
	opts  Options
	clock clock.Clock
	ids   *ids.Generator
	log   *slog.Logger
	host  *sandbox.Host

	python, node, ruby, java                              interpreter
	pythonDir, nodeDir, rubyDir, javaDir, emptyRuntimeDir string
	// javaCompiled compiles the Java bootstrap once, on the first Java
	// function's use (javaErr is why it failed).
	javaCompiled sync.Once
	javaErr      error
	// nodeSDK provides the AWS SDK for JavaScript to Node functions.
	nodeSDK *nodeSDK
	// pythonSDK provides the AWS SDK for Python to Python functions.
	pythonSDK *pythonSDK
	// hosts is sandboxed environments' /etc/hosts (AddHostNames).
	hosts   *hostsFile
	notices sync.Map // runtime id → struct{}: version notices given

	mu     sync.Mutex
	pools  map[string]*pool
	stats  map[string]*functionStats // by function name (stats.go)
	closed bool
	stop   chan struct{}
	done   chan struct{}

	// liveLogs counts the log queues of every environment, in a pool or
	// retired from one, until each has closed its stream: Close waits
	// for them.
	liveLogs sync.WaitGroup
}

var _ Manager = (*Pools)(nil)

// DefaultWorkDir is the WorkDir of Pools given none (virga --in-memory,
// tests): shared by every such virga on the machine, so that the Node SDK
// packages one installed serve the next, and named by the bootstraps'
// digest, so that virgas of different builds running at once do not
// replace each other's bootstraps under each other's functions.
func DefaultWorkDir() string {
	return filepath.Join(os.TempDir(), "virga-functions", bootstraps.Digest())
}

// New prepares the host (sandbox probing, bootstraps on disk) and starts
// the idle reaper.
func New(opts Options) (*Pools, error) {
	if opts.WorkDir == "" {
		opts.WorkDir = DefaultWorkDir()
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.InitTimeout <= 0 {
		opts.InitTimeout = DefaultInitTimeout
	}
	if opts.DefaultConcurrency <= 0 {
		opts.DefaultConcurrency = DefaultConcurrency
	}
	if opts.MaxLogBytes <= 0 {
		opts.MaxLogBytes = defaultMaxLogBytes
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.IDs == nil {
		opts.IDs = ids.New(nil)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := os.MkdirAll(opts.WorkDir, 0o755); err != nil {
		return nil, err
	}
	m := &Pools{
		opts:   opts,
		clock:  opts.Clock,
		ids:    opts.IDs,
		log:    opts.Logger,
		python: interpreter{name: "python3", flag: "--python", override: opts.Python},
		node:   interpreter{name: "node", flag: "--node", override: opts.Node},
		ruby:   interpreter{name: "ruby", flag: "--ruby", override: opts.Ruby},
		java:   interpreter{name: "java", flag: "--java", override: opts.Java},
		pools:  map[string]*pool{},
		stats:  map[string]*functionStats{},
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	var err error
	dirs, empty, err := runtimeDirs(opts.WorkDir)
	if err != nil {
		return nil, err
	}
	m.pythonDir, m.nodeDir, m.rubyDir, m.javaDir, m.emptyRuntimeDir = dirs.Python, dirs.Node, dirs.Ruby, dirs.Java, empty
	m.nodeSDK = newNodeSDK(m.nodeDir, m.log, m.clock)
	m.pythonSDK = newPythonSDK(m.pythonDir, m.log)
	if m.hosts, err = newHostsFile(opts.WorkDir); err != nil {
		return nil, err
	}
	m.host = sandbox.New(sandbox.Options{
		WorkDir: filepath.Join(opts.WorkDir, "envs"),
		Plain:   opts.Plain,
		Logger:  opts.Logger,
	})
	m.log.Info("function environments", "isolation", m.host.Isolation())
	go m.reaper()
	return m, nil
}

// AddHostNames makes names resolve to 127.0.0.1 in sandboxed
// environments, those running and those to come: virga's host names for
// its APIs (ID.execute-api.localhost), which code written for AWS builds
// URLs from. Plain processes resolve names as the host does.
func (m *Pools) AddHostNames(names ...string) {
	if err := m.hosts.add(names...); err != nil {
		m.log.Warn("adding host names for functions", "err", err)
	}
}

// Isolation describes the sandbox environments get ("namespaces, cgroup
// v1", "process", ...).
func (m *Pools) Isolation() string { return m.host.Isolation() }

// CheckRuntime implements Manager.
func (m *Pools) CheckRuntime(runtime string) error {
	_, err := m.runtime(runtime)
	return err
}

// Python implements Manager.
func (m *Pools) Python() (string, error) {
	path, _, err := m.python.resolve()
	return path, err
}

// runtime resolves a runtime identifier and its interpreter.
func (m *Pools) runtime(id string) (runtimeInfo, error) {
	rt, err := resolveRuntime(id)
	if err != nil {
		return rt, err
	}
	var in *interpreter
	switch rt.kind {
	case kindPython:
		in = &m.python
	case kindNode:
		in = &m.node
	case kindRuby:
		in = &m.ruby
	case kindJava:
		in = &m.java
	default:
		return rt, nil
	}
	debian := familyOf(id).debian
	_, version, err := in.resolve()
	if err != nil {
		return rt, &RuntimeError{Type: TypeInvalidRuntime, Reason: RuntimeHostLacks,
			Message: "The runtime " + id + " cannot run on this host: " + in.name + " is not available (" + err.Error() + "); install it " +
				"(Debian package " + debian + "), or name one with virga up " + in.flag + "."}
	}
	if rt.kind == kindJava {
		if err := m.compileJava(); err != nil {
			return rt, &RuntimeError{Type: TypeInvalidRuntime, Reason: RuntimeHostLacks,
				Message: "The runtime " + id + " cannot run on this host: " + err.Error() + "."}
		}
	}
	rt.host = version
	if rt.kind == kindPython {
		m.pythonSDK.start(in.path)
	}
	if version != rt.version {
		if _, told := m.notices.LoadOrStore(id, struct{}{}); !told {
			m.log.Info("runtime runs on the host's interpreter", "runtime", id, "interpreter", in.name, "version", version)
		}
	}
	return rt, nil
}

// compileJava compiles the Java bootstrap with the JDK of m.java, once.
func (m *Pools) compileJava() error {
	m.javaCompiled.Do(func() {
		c, err := javac(m.java.home)
		if err == nil {
			started := m.clock.Now()
			err = bootstraps.CompileJava(m.javaDir, c, m.java.home+" "+m.java.version)
			m.log.Debug("Java bootstrap ready", "javac", c, "took", m.clock.Now().Sub(started))
		}
		m.javaErr = err
	})
	return m.javaErr
}

// poolFor returns spec's pool, making it on first use.
func (m *Pools) poolFor(spec *Spec) (*pool, error) {
	m.mu.Lock()
	p := m.pools[spec.Key]
	closed := m.closed
	m.mu.Unlock()
	if closed {
		return nil, &RuntimeError{Type: TypeService, Message: "the function runtime is shutting down"}
	}
	if p != nil {
		return p, nil
	}
	var rt runtimeInfo
	var err error
	if spec.Image != nil {
		// An image brings its own runtime: Lambda's custom-runtime
		// environment, without AWS_EXECUTION_ENV.
		rt = runtimeInfo{kind: kindProvided}
	} else if rt, err = m.runtime(spec.Runtime); err != nil {
		return nil, err
	}
	p = &pool{
		m:       m,
		key:     spec.Key,
		spec:    *spec,
		rt:      rt,
		version: orString(spec.Version, "$LATEST"),
		group:   orString(spec.LogGroup, "/aws/lambda/"+spec.FunctionName),
		limit:   spec.Concurrency,
		all:     map[*environment]struct{}{},
	}
	p.spec.Env = make(map[string]string, len(spec.Env))
	for k, v := range spec.Env {
		p.spec.Env[k] = v
	}
	p.spec.LayerDirs = append([]string(nil), spec.LayerDirs...)
	if spec.Image == nil {
		p.extensions = findExtensions(p.spec.LayerDirs)
	}
	if p.limit <= 0 {
		p.limit = m.opts.DefaultConcurrency
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if existing := m.pools[spec.Key]; existing != nil {
		return existing, nil
	}
	p.stats = m.statsForLocked(spec.FunctionName)
	m.pools[spec.Key] = p
	return p, nil
}

// openStream returns the opener of an environment's log stream.
func (p *pool) openStream(stream string) func() (LogStream, error) {
	sink := p.spec.Logs
	if sink == nil {
		return nil
	}
	group := p.group
	return func() (LogStream, error) { return sink.Stream(group, stream) }
}

// Invoke implements Manager.
func (m *Pools) Invoke(ctx context.Context, spec *Spec, inv *Invocation) (*Result, error) {
	for attempt := 0; ; attempt++ {
		p, err := m.poolFor(spec)
		if err != nil {
			return nil, err
		}
		limit := spec.Concurrency
		if limit <= 0 {
			limit = m.opts.DefaultConcurrency
		}
		e, cold, err := p.acquire(limit)
		if err == errRetired {
			m.mu.Lock()
			if m.pools[spec.Key] == p {
				delete(m.pools, spec.Key)
			}
			m.mu.Unlock()
			continue
		}
		if err != nil {
			if err == ErrTooManyRequests {
				p.stats.throttles.Add(1)
			}
			return nil, err
		}
		if cold {
			p.stats.coldStarts.Add(1)
			var res *Result
			e, res, err = p.start(ctx, inv)
			p.started(e)
			if e == nil {
				p.stats.done(res)
				return res, err
			}
		}
		var res *Result
		var out outcome
		if len(p.extensions) == 0 {
			res, out = e.invoke(inv, cold, nil)
			p.release(e, out)
		} else if res, out = p.invokeEarly(e, inv, cold); res != nil && out == outcomeAnswered {
			return res, nil
		}
		if out != outcomeRetry {
			p.stats.done(res)
			return res, nil
		}
		if attempt >= 2 {
			// Environment after environment ended before its runtime took
			// the invocation.
			msg := requestPrefix(inv) + "Error: " + exitedWithoutReason
			res := &Result{FunctionError: "Unhandled", ErrorType: typeExitError, Payload: errorDoc(typeExitError, msg)}
			p.stats.done(res)
			return res, nil
		}
	}
}

// invokeEarly runs inv in e, an environment with external extensions,
// and returns as soon as the runtime has answered (outcomeAnswered):
// AWS answers the caller then, while the extensions go on with the
// INVOKE event. The environment stays busy, and its REPORT waits, until
// they are done; it is then released and the invocation counted.
func (p *pool) invokeEarly(e *environment, inv *Invocation, cold bool) (*Result, outcome) {
	type ended struct {
		res *Result
		out outcome
	}
	early := make(chan *Result, 1)
	fin := make(chan ended, 1)
	go func() {
		res, out := e.invoke(inv, cold, early)
		p.release(e, out)
		fin <- ended{res, out}
	}()
	select {
	case res := <-early:
		go func() { p.stats.done((<-fin).res) }()
		return res, outcomeAnswered
	case f := <-fin:
		return f.res, f.out
	}
}

// Provision implements Manager.
func (m *Pools) Provision(spec *Spec, n int) error {
	limit := spec.Concurrency
	if limit <= 0 {
		limit = m.opts.DefaultConcurrency
	}
	for {
		p, err := m.poolFor(spec)
		if err != nil {
			return err
		}
		victims, start, err := p.provision(max(n, 0), limit)
		if err == errRetired {
			m.mu.Lock()
			if m.pools[spec.Key] == p {
				delete(m.pools, spec.Key)
			}
			m.mu.Unlock()
			continue
		}
		for _, e := range victims {
			e.close()
		}
		p.spawn(start)
		return nil
	}
}

// Provisioned implements Manager.
func (m *Pools) Provisioned(key string) Provisioning {
	m.mu.Lock()
	p := m.pools[key]
	m.mu.Unlock()
	if p == nil {
		return Provisioning{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return Provisioning{Allocated: min(p.provLive, p.provisioned), Failure: p.provFailure}
}

// Retire implements Manager.
func (m *Pools) Retire(prefix string) {
	m.mu.Lock()
	var victims []*pool
	for key, p := range m.pools {
		if strings.HasPrefix(key, prefix) {
			victims = append(victims, p)
			delete(m.pools, key)
		}
	}
	m.mu.Unlock()
	for _, p := range victims {
		p.retire(false)
	}
}

// Close implements Manager: it ends every environment, busy or not, and
// waits (briefly) for their processes and for their last log lines to
// reach their streams, so that nothing writes to the store after it.
func (m *Pools) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	defer m.hosts.remove()
	pools := m.pools
	m.pools = map[string]*pool{}
	m.mu.Unlock()
	close(m.stop)
	<-m.done
	m.pythonSDK.wait()
	var envs []*environment
	for _, p := range pools {
		envs = append(envs, p.retire(true)...)
	}
	deadline := time.After(5 * time.Second)
	for _, e := range envs {
		select {
		case <-e.proc.Done():
		case <-deadline:
			return nil
		}
	}
	// Every environment's last log lines, those of pools retired before
	// (whose busy environments ran on) included.
	logged := make(chan struct{})
	go func() {
		m.liveLogs.Wait()
		close(logged)
	}()
	select {
	case <-logged:
	case <-deadline:
	}
	return nil
}

// reaper ends environments idle for longer than IdleTimeout.
func (m *Pools) reaper() {
	defer close(m.done)
	interval := min(m.opts.IdleTimeout/4, 30*time.Second)
	interval = max(interval, 10*time.Millisecond)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.reap()
		}
	}
}

// reap is one pass of the reaper, at the clock's time.
func (m *Pools) reap() {
	cutoff := m.clock.Now().Add(-m.opts.IdleTimeout)
	m.mu.Lock()
	pools := make([]*pool, 0, len(m.pools))
	for _, p := range m.pools {
		pools = append(pools, p)
	}
	m.mu.Unlock()
	for _, p := range pools {
		if p.reap(cutoff) {
			m.mu.Lock()
			if m.pools[p.key] == p {
				delete(m.pools, p.key)
			}
			m.mu.Unlock()
		}
	}
}
