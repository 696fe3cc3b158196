package pebble

import "fmt"

// InUseError reports that another DB, in this or another process, holds the
// data directory's lock.
type InUseError struct {
	// Dir is the data directory.
	Dir string
	// PID is the process that holds the lock, as it recorded in the lock
	// file, or 0 if the file did not hold a readable PID.
	PID int
}

// Error returns "data directory DIR is in use by process N".
func (e *InUseError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf("data directory %s is in use by another process", e.Dir)
	}
	return fmt.Sprintf("data directory %s is in use by process %d", e.Dir, e.PID)
}

// FormatError reports a data directory written by a newer virga data format
// than this build can read.
type FormatError struct {
	// Dir is the data directory.
	Dir string
	// Found is the format recorded in the directory's FORMAT file.
	Found int
	// Supported is the newest format this build reads.
	Supported int
}

// Error explains which format was found and which this build reads.
func (e *FormatError) Error() string {
	return fmt.Sprintf("data directory %s was written by a newer virga (format %d; this build reads up to %d)",
		e.Dir, e.Found, e.Supported)
}
