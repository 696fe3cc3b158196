// Package localtls is the TLS side of virga's edge: a certificate
// authority virga makes once, the server certificate it signs at each
// start, and a listener that speaks TLS and plain HTTP on one port.
//
// Code written for AWS builds HTTPS URLs itself: a WebSocket API's
// function replies to its clients through the API Gateway Management
// API at https://{requestContext.domainName}/{requestContext.stage}. For
// that URL to reach virga, the edge answers TLS on its own port; the
// first byte of a connection tells the two apart (0x16 opens every TLS
// handshake, and no HTTP request starts with it).
//
// # What it owns
//
// The authority's files, in its directory (DATA_DIR/tls, or a temporary
// directory removed at shutdown with --in-memory):
//
//   - ca.pem: the authority's certificate, for clients to trust (aws
//     --ca-bundle, AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, curl --cacert);
//   - ca-key.pem: its private key (ECDSA P-256), readable by its owner
//     only;
//   - bundle.pem: the system's trusted roots followed by ca.pem, for the
//     variables that replace the system's roots rather than add to them
//     (AWS_CA_BUNDLE in botocore), rewritten at each start.
//
// The authority is made once and kept, so that what a user told to trust
// it keeps working across restarts. Its certificate constrains the names
// it may vouch for to localhost and its subdomains (a critical name
// constraint), so its key can never stand for a real site's. The server
// certificate is made at each start and held in memory: localhost,
// *.execute-api.localhost, *.lambda-url.localhost, 127.0.0.1 and ::1.
//
// # Not supported
//
// AWS's own host names (ID.execute-api.REGION.amazonaws.com): a
// certificate for them is one the constraint forbids, on purpose.
// Client certificates (API Gateway's mutual TLS).
package localtls
