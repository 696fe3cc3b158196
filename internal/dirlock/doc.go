// Package dirlock serializes work on a directory across processes:
// several virgas (a test binary's, a developer's) may share a directory
// of runtimes and packages, and two that install or compile into it at
// once would take files away from under each other's functions.
//
// Lock holds an flock(2) on DIR/.lock until the returned function is
// called or the process ends, or gives up waiting for it when the
// caller's context ends (an invocation cancelled or out of time does
// not wait on for another's install). Where flock is missing it does
// not lock: one virga per directory.
package dirlock
