// Package httpbinding implements the HTTP binding traits that restJson1 and
// restXml share: the route an operation is bound to ("GET
// /{Bucket}/{Key+}?list-type=2"), and the members of its input and output
// that travel outside the body (URI labels, query parameters, headers,
// header maps, the status code) or that are the body (a payload member).
// The two protocols differ only in how they read and write the body; they
// route, bind and write everything else through this package.
//
// The router (router.go) compiles "METHOD /path/{Label}/{Greedy+}?query"
// patterns once, when the service is initialised. A request matches a
// route when its method is the route's, its path segments match the
// pattern's (a label matches one non-empty segment, a greedy label the
// non-empty rest of the path), and its query has every literal the
// pattern names. Of several matching routes the most specific wins: at the
// first segment where two patterns differ, a literal beats a label and a
// label beats a greedy label; then the longer pattern wins, then the one
// with more query literals. A trailing slash is optional on both sides.
//
// Default wire formats follow the Smithy HTTP binding specification:
// timestamps are RFC 822 dates (http-date) in headers and ISO 8601 in
// labels and query strings unless a member says otherwise (ts=); lists in
// headers are comma-separated, with items quoted when they contain a comma
// or a double quote; lists in query strings repeat their key; blobs in
// headers and query strings are base64.
//
// Shapes are checked when an operation is registered (Plan panics on a
// shape that binds two payloads, or a payload beside body members),
// because operation tables are code and a malformed one is a programming
// error the first test finds. Requests, however hostile, never panic:
// malformed values give a *BindError.
package httpbinding
