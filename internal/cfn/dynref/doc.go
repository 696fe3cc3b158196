// Package dynref is CloudFormation's dynamic references: text of the
// form {{resolve:SERVICE:REFERENCE}} inside a resource's property
// values, replaced by a value read from another service when the
// resource is created or updated.
//
//	{{resolve:ssm:NAME}}               latest version of a String or StringList parameter
//	{{resolve:ssm:NAME:VERSION}}       that version
//	{{resolve:ssm-secure:NAME[:VERSION]}}  a SecureString, only in the properties AWS lists
//	{{resolve:secretsmanager:SECRET-ID[:SecretString[:JSON-KEY[:VERSION-STAGE[:VERSION-ID]]]]}}
//
// SECRET-ID is a name or an ARN (whose own colons are part of it).
// Empty fields take their defaults: the whole SecretString, AWSCURRENT.
//
// The package parses and substitutes; each service answers through a
// Resolver that the engine wires (internal/app), so the one walk over a
// resource's properties serves every service. Resolve walks maps and
// lists and rewrites every string holding references; a string may hold
// several, and text around them stays. Keys are not resolved.
//
// What it must not do: keep resolved values. The engine stores and
// compares the properties as the template wrote them and resolves only
// the copy it hands a provider, so neither a secret nor a parameter
// value is kept in a stack's records or shown in its events.
//
// Not supported: references in Outputs, in a template's Parameters or
// in Metadata (AWS resolves them only in resource properties too); the
// limit of 60 dynamic references per template is not enforced;
// ssm parameters shared from other accounts (by ARN).
package dynref
