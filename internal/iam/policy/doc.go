// Package policy is IAM's policy language: it parses policy documents and
// decides requests against them as AWS's "Policy evaluation logic"
// describes, with no knowledge of where the policies come from.
//
// Parse reads a document into a Policy; Evaluate weighs a request (an
// action on a resource by a principal, with its condition keys) against
// the caller's identity-based policies, its permissions boundary, its
// session policies and the resource's resource-based policies, and
// returns a Decision whose Message is AWS's access denied wording, with
// the action and resource spelt as the service that owns the action
// spells them (Worded, wording.go).
//
// Matching follows IAM's documentation: Action and NotAction compare
// case-insensitively with * and ? wildcards; Resource and NotResource
// match ARNs segment by segment with policy variables (${aws:username},
// ${aws:PrincipalTag/key}, ${*}, ${?}, ${$}, and ${key, 'default'})
// substituted from the request context; Principal and NotPrincipal name
// "*", account ids, account root ARNs, user, role and assumed-role ARNs,
// and service principals; Condition supports every documented operator
// (String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress, NotIpAddress,
// Arn*, Null), the IfExists suffix and the ForAnyValue and ForAllValues
// set operators. Every * and ? match goes through internal/wildcard; a
// substituted pattern is in its Escape syntax, so ${*} and ${?} arrive
// as \* and \? and stay literal, and ? takes one character, not one byte.
//
// The package is pure: no I/O, no clock (aws:CurrentTime comes in the
// context like any other key), no locks. A Policy is immutable once
// parsed and safe for concurrent use.
//
// Not supported: AWS Organizations' service control and resource control
// policies, VPC endpoint policies, ACLs, and the cross-account rule (a
// request from another account needs both sides' allow): virga serves one
// account.
package policy
