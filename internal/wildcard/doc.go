// Package wildcard matches strings against the wildcard patterns AWS
// APIs take: '*' stands for any run of characters (none included) and,
// where the API says so, '?' for exactly one. It is the one matcher for
// every service; the differences AWS really has are Flags:
//
//   - EC2 Describe filter values: '*' and '?', and '\' makes the next
//     character literal ("\*amazon\?\\" is the string *amazon?\); case
//     counts. Flags Question|Escape.
//   - ELBv2 listener rule conditions: '*' and '?'; host names, HTTP
//     header values and query strings compare ignoring case, paths do
//     not. Flags Question, with FoldCase for the former.
//   - IAM-style policies (API Gateway resource policies, Lambda's
//     StringLike on AWS:SourceArn, and ArnLike through
//     iam/policy.ArnLike, which matches each of an ARN's six parts on
//     its own): '*' and '?'; action names ignore case, resources and
//     condition values do not. Flags Question, with FoldCase for actions.
//   - ECR lifecycle policy tagPatternList and CloudWatch Logs filter
//     values, space-delimited and JSON ({ $.path = "/api/*" }): '*'
//     alone; '?' is itself. Flags 0.
//   - X-Ray sampling rules' ServiceName, Host, URLPath and the rest: '*'
//     and '?', case ignored. Flags Question|FoldCase.
//   - S3 CORS rules: '*' alone, at most one per AllowedOrigin or
//     AllowedHeader; origins compare exactly, header names ignoring
//     case. Flags 0, FoldCase for headers.
//
// A character is a Unicode code point: '?' takes one whole UTF-8
// sequence, and a byte that is not valid UTF-8 counts as one character
// that matches only itself. '/' is not special.
//
// Match runs in O(len(pattern)·len(s)) at worst and never recurses: on a
// mismatch it goes back only to the last '*', which is enough because a
// later '*' can absorb whatever an earlier one would have. For a fixed
// pattern its time is linear in len(s).
//
// The package depends on nothing but the standard library and holds no
// state.
package wildcard
