// Package apierr holds the error value every virga operation returns to a
// client: an AWS error code, the HTTP status AWS answers it with, and a
// message. Services declare their errors once, as package-level values in
// their errors.go, and return them (or a copy with a more precise message)
// from domain code; the protocol encoders in awsproto find them with
// errors.As and render them in the protocol's error shape.
//
// Error codes are API: clients match on them. Never rename one.
package apierr
