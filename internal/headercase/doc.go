// Package headercase remembers how a client spelled its HTTP/1 header
// names, which net/http forgets.
//
// net/http keys a request's headers by their canonical form
// (content-type becomes Content-Type), and keeps no trace of what came
// on the wire. API Gateway's REST APIs do: a Lambda proxy event's
// headers and multiValueHeaders carry each name as the client sent it
// (curl's "Content-Type", Node's fetch's "content-type"), and code
// written against AWS reads event.headers["content-type"]. A WebSocket
// API's $connect event does the same.
//
// Listener wraps the edge's listener; each plain-text connection it
// accepts watches the bytes the server reads from it, and a small
// HTTP/1.1 framing parser (parse.go) records the header names of each
// request head and skips bodies by their Content-Length or chunks.
// ConnContext, as the http.Server's ConnContext, puts the connection's
// record in every request's context, where Names finds the head of the
// request it is given.
//
// # What it does not do
//
// TLS connections are not watched: net/http needs to see the
// *tls.Conn itself, and wrapping the connection beneath TLS would see
// only ciphertext; for them, and for any request whose head the parser
// could not follow, Names reports nothing and callers fall back to the
// canonical names. HTTP/2 has no spelling to remember: its header
// names are lower case on the wire, and Names says so. Once a
// connection leaves HTTP/1 (an Upgrade, CONNECT, HTTP/2 with prior
// knowledge) or sends what the parser does not follow, its record stops
// for good and costs nothing more.
//
// # Invariants
//
// A record holds at most one partial line (bounded by maxHead) and
// maxPending request heads no handler asked for; bodies are counted,
// never kept. Its mutex guards the parser, fed by the server's reads
// (on the connection's goroutine or its background read), against
// Names, called from handlers.
package headercase
