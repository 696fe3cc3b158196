// Package config holds virga's one typed configuration. Values come, in
// increasing precedence, from the defaults here, environment variables
// VIRGA_<NAME> and command-line flags (cmd/virga binds the last two).
// The fields' comments are the user's documentation of each setting.
package config
