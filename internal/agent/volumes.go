package agent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/opencontainers/runtime-spec/specs-go"
)

// Volume is a task's data volume, which its containers' Mounts name.
type Volume struct {
	// Name is letters, digits, hyphens and underscores, at most 255
	// (ECS's rule for volume names); it names the volume's directory.
	Name string
	// HostPath, when set, is a host directory bind-mounted as it is.
	// It must lie under Options.HostVolumeRoot; without that root no
	// host path is mounted.
	HostPath string
	// Shared keeps the volume by name across tasks, under
	// DATA_DIR/volumes/NAME. Otherwise (and without HostPath) the
	// volume is an empty directory made for the task and removed when
	// it stops.
	Shared bool
	// Autoprovision makes a Shared volume that does not exist yet;
	// without it a missing shared volume fails StartTask.
	Autoprovision bool
}

// Mount mounts one of the task's volumes into a container.
type Mount struct {
	Volume        string
	ContainerPath string
	ReadOnly      bool
}

// volumeNameRe is ECS's rule for a volume name: up to 255 letters,
// numbers, hyphens and underscores. Such a name is one path element
// that is neither "." nor "..".
var volumeNameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// volumeDirs makes (or finds) each volume's host directory: the
// task's own under its task directory, shared ones under
// DATA_DIR/volumes, host paths checked against HostVolumeRoot.
func (t *task) volumeDirs(vols []Volume) (map[string]string, error) {
	dirs := map[string]string{}
	for _, v := range vols {
		if !volumeNameRe.MatchString(v.Name) {
			return nil, &StartError{Err: fmt.Errorf("volume name %q: want letters, digits, - and _ (at most 255)", v.Name)}
		}
		if _, dup := dirs[v.Name]; dup {
			return nil, &StartError{Err: fmt.Errorf("volume %s is defined twice", v.Name)}
		}
		var dir string
		var err error
		switch {
		case v.HostPath != "":
			dir, err = t.a.hostVolume(v.HostPath)
		case v.Shared:
			dir, err = ownDir(filepath.Join(t.a.opts.DataDir, "volumes"), v.Name, v.Autoprovision)
		default:
			dir, err = ownDir(filepath.Join(t.dir(), "volumes"), v.Name, true)
		}
		if err != nil {
			return nil, &StartError{Err: fmt.Errorf("volume %s: %w", v.Name, err)}
		}
		dirs[v.Name] = dir
	}
	return dirs, nil
}

// ownDir is the directory name under base (a directory of the agent's
// own, made if missing), made when create is set. It must be a real
// directory: a symbolic link put in its place is refused, so that a
// mount never leaves base.
func ownDir(base, name string, create bool) (string, error) {
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", err
	}
	dir := filepath.Join(base, name)
	if filepath.Dir(dir) != filepath.Clean(base) {
		return "", errors.New("the name is not one path element")
	}
	if create {
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return "", err
		}
	}
	fi, err := os.Lstat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return "", errors.New("it does not exist and autoprovision is off")
	}
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return "", errors.New("its path is not a directory")
	}
	return dir, nil
}

// hostVolume checks a host path against Options.HostVolumeRoot: both
// are resolved through their symbolic links, and the path must be the
// root or lie under it.
func (a *Agent) hostVolume(path string) (string, error) {
	if a.opts.HostVolumeRoot == "" {
		return "", errors.New("host paths are not mounted: virga has no host volume root (--host-volume-root)")
	}
	if !filepath.IsAbs(path) {
		return "", fmt.Errorf("host path %q is not absolute", path)
	}
	root, err := filepath.EvalSymlinks(a.opts.HostVolumeRoot)
	if err != nil {
		return "", fmt.Errorf("host volume root: %w", err)
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("host path: %w", err)
	}
	rel, err := filepath.Rel(root, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("host path %s is outside the host volume root %s", path, a.opts.HostVolumeRoot)
	}
	return real, nil
}

// mounts are a container's volume mounts as OCI bind mounts.
func mounts(c ContainerSpec, dirs map[string]string) ([]specs.Mount, error) {
	var out []specs.Mount
	for _, m := range c.Mounts {
		dir, ok := dirs[m.Volume]
		if !ok {
			return nil, fmt.Errorf("mount of unknown volume %q", m.Volume)
		}
		if !filepath.IsAbs(m.ContainerPath) {
			return nil, fmt.Errorf("mount path %q is not absolute", m.ContainerPath)
		}
		opts := []string{"rbind", "rw"}
		if m.ReadOnly {
			opts[1] = "ro"
		}
		out = append(out, specs.Mount{Destination: filepath.Clean(m.ContainerPath), Type: "bind", Source: dir, Options: opts})
	}
	return out, nil
}
