//go:build !unix

package bootstraps

// lockDir does not lock where flock is missing: one virga per directory.
func lockDir(string) (func(), error) { return func() {}, nil }
