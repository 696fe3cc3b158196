// Package version tells which virga this is. The Makefile sets Version
// at link time from the repository's tags.
package version

// Version is virga's version; "dev" in a build without one.
var Version = "dev"
