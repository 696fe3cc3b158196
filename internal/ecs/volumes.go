package ecs

import (
	"errors"
	"path"
	"regexp"
	"strings"
)

// volumeNameRe is a volume's name as ECS's developer guide allows it:
// up to 255 letters, numbers, hyphens and underscores.
var volumeNameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// checkVolumes applies RegisterTaskDefinition's rules for volumes,
// mountPoints and volumesFrom.
func checkVolumes(def *TaskDefinition, fargate bool) error {
	vols := map[string]bool{}
	for _, v := range def.Volumes {
		name := deref(v.Name)
		if !volumeNameRe.MatchString(name) {
			// ECS's wording for this is not documented.
			return ErrClient.WithMessage("Invalid volume name '" + name + "'. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.")
		}
		if vols[name] {
			// ECS's wording for this is not documented.
			return ErrClient.WithMessage("Duplicate volume names are not allowed.")
		}
		vols[name] = true
		if fargate && v.Host != nil && v.Host.SourcePath != nil {
			// Fargate offers task storage only: no host paths.
			return ErrClient.WithMessage("Fargate compatible task definitions do not support sourcePath")
		}
		if fargate && v.DockerVolumeConfiguration != nil {
			// Docker volumes are for the EC2 launch type only; the
			// wording follows the sourcePath error's.
			return ErrClient.WithMessage("Fargate compatible task definitions do not support dockerVolumeConfiguration")
		}
	}
	names := map[string]bool{}
	for _, c := range def.ContainerDefinitions {
		names[deref(c.Name)] = true
	}
	for _, c := range def.ContainerDefinitions {
		for _, m := range c.MountPoints {
			if !vols[deref(m.SourceVolume)] {
				src := "null"
				if m.SourceVolume != nil {
					src = *m.SourceVolume
				}
				return ErrClient.WithMessage("Unknown volume '" + src + "'.")
			}
			if !strings.HasPrefix(deref(m.ContainerPath), "/") {
				// ECS's wording for this is not documented.
				return ErrClient.WithMessage("Invalid containerPath '" + deref(m.ContainerPath) + "' for container '" + deref(c.Name) + "'. It must be an absolute path.")
			}
		}
		for _, f := range c.VolumesFrom {
			src := deref(f.SourceContainer)
			if !names[src] || src == deref(c.Name) {
				// ECS's wording for this is not documented.
				return ErrClient.WithMessage("Container '" + deref(c.Name) + "' takes volumes from container '" + src + "', which is not another container of the task definition.")
			}
		}
	}
	return nil
}

// taskVolumes are a task's volumes as the runtime makes them, or an
// error (the task's stoppedReason) for a kind virga does not provide.
func taskVolumes(def *TaskDefinition) ([]VolumeSpec, error) {
	var out []VolumeSpec
	for _, v := range def.Volumes {
		vs := VolumeSpec{Name: deref(v.Name)}
		switch {
		case v.EfsVolumeConfiguration != nil, v.FsxWindowsFileServerVolumeConfiguration != nil:
			return nil, errors.New("ResourceInitializationError: volume " + vs.Name + ": EFS and FSx volumes are not provided by virga")
		case v.DockerVolumeConfiguration != nil:
			dc := v.DockerVolumeConfiguration
			if d := deref(dc.Driver); d != "" && d != "local" {
				return nil, errors.New("CannotCreateVolumeError: volume " + vs.Name + ": driver " + d + " is not provided by virga (only local)")
			}
			if deref(dc.Scope) == Scope("shared") {
				vs.Shared, vs.Autoprovision = true, deref(dc.Autoprovision)
			}
		case v.Host != nil:
			vs.HostPath = deref(v.Host.SourcePath)
		}
		out = append(out, vs)
	}
	return out, nil
}

// containerMounts are a container's mountPoints and, after them, the
// mounts of each container in its volumesFrom (read-only when the
// volumesFrom entry says so), as ECS's agent resolves them. A path
// mounted twice keeps its first mount: the container's own wins over
// one it takes from another.
func containerMounts(def *TaskDefinition, i int) []MountSpec {
	var visit func(i int, readOnly bool, seen map[int]bool) []MountSpec
	visit = func(i int, readOnly bool, seen map[int]bool) []MountSpec {
		if seen[i] {
			return nil
		}
		seen[i] = true
		cd := def.ContainerDefinitions[i]
		var out []MountSpec
		for _, m := range cd.MountPoints {
			out = append(out, MountSpec{Volume: deref(m.SourceVolume), ContainerPath: deref(m.ContainerPath),
				ReadOnly: readOnly || deref(m.ReadOnly)})
		}
		for _, f := range cd.VolumesFrom {
			for j, other := range def.ContainerDefinitions {
				if deref(other.Name) == deref(f.SourceContainer) {
					out = append(out, visit(j, readOnly || deref(f.ReadOnly), seen)...)
				}
			}
		}
		return out
	}
	var out []MountSpec
	paths := map[string]bool{}
	for _, m := range visit(i, false, map[int]bool{}) {
		if p := path.Clean(m.ContainerPath); !paths[p] {
			paths[p] = true
			out = append(out, m)
		}
	}
	return out
}
