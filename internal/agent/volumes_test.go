package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVolumeDirs(t *testing.T) {
	t.Parallel()
	data, root, outside := t.TempDir(), t.TempDir(), t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "srv"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A link under the root that leads out of it.
	if err := os.Symlink(outside, filepath.Join(root, "escape")); err != nil {
		t.Fatal(err)
	}
	a := New(Options{DataDir: data, HostVolumeRoot: root})
	tk := &task{a: a, id: "t1"}

	dirs, err := tk.volumeDirs([]Volume{{Name: "scratch"}, {Name: "cache", Shared: true, Autoprovision: true}, {Name: "host", HostPath: filepath.Join(root, "srv")}})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(data, "containerd", "tasks", "t1", "volumes", "scratch"); dirs["scratch"] != want {
		t.Errorf("task volume at %s, want %s", dirs["scratch"], want)
	}
	if want := filepath.Join(data, "volumes", "cache"); dirs["cache"] != want {
		t.Errorf("shared volume at %s, want %s", dirs["cache"], want)
	}
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			t.Errorf("%s: not a directory (%v)", d, err)
		}
	}

	// A shared volume is found again by name without autoprovision.
	if _, err := (&task{a: a, id: "t2"}).volumeDirs([]Volume{{Name: "cache", Shared: true}}); err != nil {
		t.Errorf("existing shared volume: %v", err)
	}
	// A symbolic link in a volume's place is not followed.
	if err := os.Symlink(outside, filepath.Join(data, "volumes", "linked")); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name string
		vol  Volume
		want string
	}{
		{"missing shared volume", Volume{Name: "absent", Shared: true}, "does not exist"},
		{"linked shared volume", Volume{Name: "linked", Shared: true, Autoprovision: true}, "not a directory"},
		{"dot dot", Volume{Name: ".."}, "want letters"},
		{"slash", Volume{Name: "a/b"}, "want letters"},
		{"host path outside the root", Volume{Name: "h", HostPath: outside}, "outside the host volume root"},
		{"host path through a link", Volume{Name: "h", HostPath: filepath.Join(root, "escape")}, "outside the host volume root"},
		{"host path with dot dot", Volume{Name: "h", HostPath: root + "/srv/../.."}, "outside the host volume root"},
		{"relative host path", Volume{Name: "h", HostPath: "srv"}, "not absolute"},
	} {
		_, err := (&task{a: a, id: "t3"}).volumeDirs([]Volume{c.vol})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error with %q", c.name, err, c.want)
		}
	}

	// Without a root no host path is mounted.
	b := New(Options{DataDir: t.TempDir()})
	if _, err := (&task{a: b, id: "t4"}).volumeDirs([]Volume{{Name: "h", HostPath: root}}); err == nil || !strings.Contains(err.Error(), "no host volume root") {
		t.Errorf("host path without a root: %v", err)
	}
}

func TestMounts(t *testing.T) {
	t.Parallel()
	dirs := map[string]string{"v": "/data/v"}
	got, err := mounts(ContainerSpec{Mounts: []Mount{{Volume: "v", ContainerPath: "/a/"}, {Volume: "v", ContainerPath: "/b", ReadOnly: true}}}, dirs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Destination != "/a" || got[0].Options[1] != "rw" || got[1].Options[1] != "ro" || got[1].Source != "/data/v" {
		t.Fatalf("mounts %+v", got)
	}
	if _, err := mounts(ContainerSpec{Mounts: []Mount{{Volume: "w", ContainerPath: "/a"}}}, dirs); err == nil {
		t.Error("unknown volume mounted")
	}
}
