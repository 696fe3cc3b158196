// Package ids makes the identifiers virga hands out: request ids, access
// keys, secrets, resource ids. Randomness is injected (a Generator reads
// from an io.Reader), so tests can make ids deterministic.
package ids
