// Package version tells which virga this is. The Makefile sets Version
// at link time from the repository's tags.
package version
