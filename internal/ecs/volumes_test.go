package ecs

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/virga/virga/internal/awsproto/apierr"
)

func TestRegisterTaskDefinitionVolumeRules(t *testing.T) {
	t.Parallel()
	fargate := func(in RegisterTaskDefinitionRequest) RegisterTaskDefinitionRequest {
		in.RequiresCompatibilities = []Compatibility{compatFargate}
		in.NetworkMode, in.Cpu, in.Memory = ptr(modeAwsvpc), ptr("256"), ptr("512")
		return in
	}
	mount := func(vol, path string) ContainerDefinition {
		c := container("a", 64)
		c.MountPoints = []MountPoint{{SourceVolume: ptr(vol), ContainerPath: ptr(path)}}
		return c
	}
	from := func(name, src string) ContainerDefinition {
		c := container(name, 64)
		c.VolumesFrom = []VolumeFrom{{SourceContainer: ptr(src)}}
		return c
	}
	scratch := []Volume{{Name: ptr("scratch")}}
	for _, c := range []struct {
		name string
		in   RegisterTaskDefinitionRequest
		want string // "Code: message", or "" for success
	}{
		{"task volume", RegisterTaskDefinitionRequest{Volumes: scratch, ContainerDefinitions: []ContainerDefinition{mount("scratch", "/data")}}, ""},
		{"unknown volume", RegisterTaskDefinitionRequest{Volumes: scratch, ContainerDefinitions: []ContainerDefinition{mount("other", "/data")}},
			"ClientException: Unknown volume 'other'."},
		{"no source volume", RegisterTaskDefinitionRequest{ContainerDefinitions: []ContainerDefinition{{Name: ptr("a"), Image: ptr("x"), Memory: ptr(int32(64)),
			MountPoints: []MountPoint{{ContainerPath: ptr("/data")}}}}},
			"ClientException: Unknown volume 'null'."},
		{"relative container path", RegisterTaskDefinitionRequest{Volumes: scratch, ContainerDefinitions: []ContainerDefinition{mount("scratch", "data")}},
			"ClientException: Invalid containerPath 'data' for container 'a'. It must be an absolute path."},
		{"duplicate volumes", RegisterTaskDefinitionRequest{Volumes: []Volume{{Name: ptr("v")}, {Name: ptr("v")}}, ContainerDefinitions: []ContainerDefinition{container("a", 64)}},
			"ClientException: Duplicate volume names are not allowed."},
		{"volume name with a slash", RegisterTaskDefinitionRequest{Volumes: []Volume{{Name: ptr("../etc")}}, ContainerDefinitions: []ContainerDefinition{container("a", 64)}},
			"ClientException: Invalid volume name '../etc'. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed."},
		{"long volume name", RegisterTaskDefinitionRequest{Volumes: []Volume{{Name: ptr(strings.Repeat("v", 256))}}, ContainerDefinitions: []ContainerDefinition{container("a", 64)}},
			"ClientException: Invalid volume name '" + strings.Repeat("v", 256) + "'. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed."},
		{"host path on EC2", RegisterTaskDefinitionRequest{Volumes: []Volume{{Name: ptr("h"), Host: &HostVolumeProperties{SourcePath: ptr("/srv")}}},
			ContainerDefinitions: []ContainerDefinition{mount("h", "/srv")}}, ""},
		{"host path on Fargate", fargate(RegisterTaskDefinitionRequest{Volumes: []Volume{{Name: ptr("h"), Host: &HostVolumeProperties{SourcePath: ptr("/srv")}}},
			ContainerDefinitions: []ContainerDefinition{mount("h", "/srv")}}),
			"ClientException: Fargate compatible task definitions do not support sourcePath"},
		{"empty host on Fargate", fargate(RegisterTaskDefinitionRequest{Volumes: []Volume{{Name: ptr("h"), Host: &HostVolumeProperties{}}},
			ContainerDefinitions: []ContainerDefinition{mount("h", "/srv")}}), ""},
		{"docker volume on Fargate", fargate(RegisterTaskDefinitionRequest{Volumes: []Volume{{Name: ptr("d"), DockerVolumeConfiguration: &DockerVolumeConfiguration{Scope: ptr(Scope("task"))}}},
			ContainerDefinitions: []ContainerDefinition{mount("d", "/d")}}),
			"ClientException: Fargate compatible task definitions do not support dockerVolumeConfiguration"},
		{"volumes from another container", RegisterTaskDefinitionRequest{ContainerDefinitions: []ContainerDefinition{container("a", 64), from("b", "a")}}, ""},
		{"volumes from an unknown container", RegisterTaskDefinitionRequest{ContainerDefinitions: []ContainerDefinition{container("a", 64), from("b", "c")}},
			"ClientException: Container 'b' takes volumes from container 'c', which is not another container of the task definition."},
		{"volumes from itself", RegisterTaskDefinitionRequest{ContainerDefinitions: []ContainerDefinition{from("b", "b")}},
			"ClientException: Container 'b' takes volumes from container 'b', which is not another container of the task definition."},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			in := c.in
			in.Family = ptr("f")
			_, err := h.s.registerTaskDefinition(context.Background(), &in)
			got := ""
			if e := apierr.As(err); e != nil {
				got = e.Code + ": " + e.Message
			} else if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestTaskVolumesAndMounts(t *testing.T) {
	t.Parallel()
	def := &TaskDefinition{
		Volumes: []Volume{
			{Name: ptr("scratch")},
			{Name: ptr("empty-host"), Host: &HostVolumeProperties{}},
			{Name: ptr("host"), Host: &HostVolumeProperties{SourcePath: ptr("/srv/data")}},
			{Name: ptr("cache"), DockerVolumeConfiguration: &DockerVolumeConfiguration{Scope: ptr(Scope("shared")), Autoprovision: ptr(true), Driver: ptr("local")}},
			{Name: ptr("tmp"), DockerVolumeConfiguration: &DockerVolumeConfiguration{Scope: ptr(Scope("task"))}},
		},
		ContainerDefinitions: []ContainerDefinition{
			{Name: ptr("writer"), MountPoints: []MountPoint{{SourceVolume: ptr("scratch"), ContainerPath: ptr("/data")}, {SourceVolume: ptr("cache"), ContainerPath: ptr("/cache"), ReadOnly: ptr(true)}}},
			{Name: ptr("reader"), VolumesFrom: []VolumeFrom{{SourceContainer: ptr("writer"), ReadOnly: ptr(true)}}},
			{Name: ptr("third"), VolumesFrom: []VolumeFrom{{SourceContainer: ptr("reader")}}, MountPoints: []MountPoint{{SourceVolume: ptr("tmp"), ContainerPath: ptr("/tmp")},
				{SourceVolume: ptr("scratch"), ContainerPath: ptr("/cache/")}}},
		},
	}
	vols, err := taskVolumes(def)
	if err != nil {
		t.Fatal(err)
	}
	want := []VolumeSpec{{Name: "scratch"}, {Name: "empty-host"}, {Name: "host", HostPath: "/srv/data"},
		{Name: "cache", Shared: true, Autoprovision: true}, {Name: "tmp"}}
	if !reflect.DeepEqual(vols, want) {
		t.Fatalf("volumes %+v\nwant %+v", vols, want)
	}
	for i, want := range [][]MountSpec{
		{{"scratch", "/data", false}, {"cache", "/cache", true}},
		{{"scratch", "/data", true}, {"cache", "/cache", true}},
		{{"tmp", "/tmp", false}, {"scratch", "/cache/", false}, {"scratch", "/data", true}},
	} {
		if got := containerMounts(def, i); !reflect.DeepEqual(got, want) {
			t.Errorf("container %d mounts %+v\nwant %+v", i, got, want)
		}
	}

	for _, v := range []Volume{
		{Name: ptr("e"), EfsVolumeConfiguration: &EFSVolumeConfiguration{FileSystemId: ptr("fs-1")}},
		{Name: ptr("d"), DockerVolumeConfiguration: &DockerVolumeConfiguration{Driver: ptr("rexray/ebs")}},
	} {
		if _, err := taskVolumes(&TaskDefinition{Volumes: []Volume{v}}); err == nil {
			t.Errorf("volume %s: no error", deref(v.Name))
		}
	}
}
