// Package app is the only place virga is wired together: it opens the
// store, builds the services with their dependencies, puts the edge in
// front of them, and starts and stops them in order.
package app
