//go:build !unix

package dirlock

// Lock does not lock where flock is missing: one virga per directory.
func Lock(string) (func(), error) { return func() {}, nil }
