// Package sealed keeps secret values encrypted at rest: Parameter
// Store's SecureString values, Secrets Manager's secret values and KMS's
// key material are sealed with AES-256-GCM under one data key per
// service, made at random the first time the service starts and kept in
// the store (so in the data directory) beside what it protects. It keeps
// values out of plain sight in the store's files; it is no protection
// against someone who can read the whole data directory, who has the key
// too.
//
// A sealed value is nonce ‖ ciphertext ‖ tag; Parameter Store shows it
// base64-encoded where AWS shows the KMS ciphertext of a SecureString
// read without decryption.
//
// Box is safe for concurrent use; it holds no locks of its own.
package sealed
