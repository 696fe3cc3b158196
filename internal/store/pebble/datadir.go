package pebble

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Names inside the data directory. They are part of the on-disk format.
const (
	formatFileName = "FORMAT"
	lockFileName   = "virga.lock"
	pebbleDirName  = "pebble"
)

// formatVersion is the newest data format this build reads and the one it
// writes into fresh directories. Bump it whenever anything under the data
// directory changes in a way older builds would misread, including
// pebbleFormat and key layouts of services.
const formatVersion = 1

// formatFile is the content of the FORMAT file.
type formatFile struct {
	Format int `json:"format"`
}

// checkFormat reads dir's FORMAT file, writing one for formatVersion if the
// directory is fresh. It must be called with the directory lock held, so no
// other Open races on the file.
func checkFormat(dir string) error {
	path := filepath.Join(dir, formatFileName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, pebbleDirName)); err == nil {
			return fmt.Errorf("data directory %s holds Pebble data but no %s file; refusing to guess its format", dir, formatFileName)
		}
		return writeFormat(dir)
	}
	if err != nil {
		return fmt.Errorf("data directory %s: reading %s: %w", dir, formatFileName, err)
	}
	var f formatFile
	if err := json.Unmarshal(data, &f); err != nil || f.Format < 1 {
		return fmt.Errorf("data directory %s has an unreadable %s file: %q", dir, formatFileName, data)
	}
	if f.Format > formatVersion {
		return &FormatError{Dir: dir, Found: f.Format, Supported: formatVersion}
	}
	return nil
}

// writeFormat atomically writes a FORMAT file for formatVersion: a crash
// leaves either no file or a complete one.
func writeFormat(dir string) error {
	data, err := json.Marshal(formatFile{Format: formatVersion})
	if err != nil {
		return err
	}
	data = append(data, '\n')
	tmp := filepath.Join(dir, formatFileName+".tmp")
	if err := writeFileSync(tmp, data); err != nil {
		return fmt.Errorf("data directory %s: writing %s: %w", dir, formatFileName, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, formatFileName)); err != nil {
		return fmt.Errorf("data directory %s: writing %s: %w", dir, formatFileName, err)
	}
	return syncDir(dir)
}

// writeFileSync writes data to path and fsyncs it.
func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir fsyncs a directory so that entries created or renamed in it are
// durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return d.Close()
}
