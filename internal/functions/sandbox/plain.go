package sandbox

import (
	"os"
	"path/filepath"
)

// plainLayout is where a process without namespaces finds its files: in
// place, with a scratch directory for /tmp and merged layers.
func plainLayout(workDir string, cfg *Config) Layout {
	scratch := filepath.Join(workDir, cfg.ID)
	l := Layout{TaskRoot: cfg.CodeDir, RuntimeDir: cfg.RuntimeDir, TmpDir: filepath.Join(scratch, "tmp")}
	switch len(cfg.LayerDirs) {
	case 0:
	case 1:
		l.OptDir = cfg.LayerDirs[0]
	default:
		l.OptDir = filepath.Join(scratch, "opt")
	}
	return l
}

// preparePlain makes a plain process's scratch directory: its /tmp, and
// for several layers a tree of links merging them (later layers win).
func preparePlain(workDir string, cfg *Config) (string, error) {
	l := plainLayout(workDir, cfg)
	scratch := filepath.Dir(l.TmpDir)
	if err := os.MkdirAll(l.TmpDir, 0o1777); err != nil {
		return "", err
	}
	if len(cfg.LayerDirs) > 1 {
		for _, layer := range cfg.LayerDirs {
			if err := linkTree(layer, l.OptDir); err != nil {
				os.RemoveAll(scratch)
				return "", err
			}
		}
	}
	return scratch, nil
}

// linkTree mirrors src under dst with directories and symbolic links,
// replacing links an earlier tree made.
func linkTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if fi, err := os.Lstat(target); err == nil && fi.Mode()&os.ModeSymlink != 0 {
				os.Remove(target)
			}
			return os.MkdirAll(target, 0o755)
		}
		os.Remove(target)
		return os.Symlink(path, target)
	})
}
