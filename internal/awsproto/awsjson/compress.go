package awsjson

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
)

// The response encodings a service that compresses its responses offers,
// in the order it prefers them when a client accepts both as much.
var responseEncodings = [...]string{"gzip", "deflate"}

// responseEncoding chooses how to encode a response body for a request's
// Accept-Encoding header: "gzip", "deflate" or "" (as it is). It reads
// the header as DynamoDB does:
//
//   - Elements are separated by commas; each is a coding (compared
//     without case, blanks around it ignored) and parameters after ";".
//     An element that is not a bare coding ("gzip br", "\"gzip\"") names
//     nothing.
//   - An element's weight is its first "q" parameter, 1 without one or
//     when it does not parse, and taken into [0, 1]; a coding named
//     several times has its highest weight.
//   - "*" gives its weight to the offered codings the header does not
//     name; "identity" and codings not offered are ignored.
//   - The coding of highest weight above zero wins; between equals, one
//     the header names before one "*" stands for, then the header's
//     order, then gzip before deflate.
func responseEncoding(accept string) string {
	type choice struct {
		q     float64
		named bool
		order int
	}
	var named [len(responseEncodings)]*choice
	wildcard := -1.0
	for i, elem := range strings.Split(accept, ",") {
		coding, params, _ := strings.Cut(elem, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		q := weight(params)
		if coding == "*" {
			wildcard = max(wildcard, q)
			continue
		}
		for k, offered := range responseEncodings {
			if coding != offered {
				continue
			}
			if named[k] == nil {
				named[k] = &choice{q: q, named: true, order: i}
			} else {
				named[k].q = max(named[k].q, q)
			}
		}
	}
	best, bestQ, bestNamed, bestOrder := "", 0.0, false, 0
	for k, offered := range responseEncodings {
		c := named[k]
		if c == nil {
			if wildcard < 0 {
				continue
			}
			c = &choice{q: wildcard, order: len(accept) + k}
		}
		better := c.q > bestQ ||
			(c.q == bestQ && best != "" && ((c.named && !bestNamed) || (c.named == bestNamed && c.order < bestOrder)))
		if c.q > 0 && (best == "" || better) {
			best, bestQ, bestNamed, bestOrder = offered, c.q, c.named, c.order
		}
	}
	return best
}

// weight reads an Accept-Encoding element's parameters for its weight:
// the first q parameter, 1 when there is none or it does not parse,
// taken into [0, 1].
func weight(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		name, value, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(name) != "q" {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return 1
		}
		return min(max(q, 0), 1)
	}
	return 1
}

// writeBody writes a response body with the headers the protocol adds:
// the body compressed when the service compresses bodies of its size and
// the client accepts an encoding, its CRC-32 (of the body as sent) when
// the service reports it, and the service's Server header.
func (p *Protocol) writeBody(r *http.Request, w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	if p.Server != "" {
		h.Set("Server", p.Server)
	}
	if p.CompressOver > 0 && len(body) > p.CompressOver && r != nil {
		if enc := responseEncoding(strings.Join(r.Header.Values("Accept-Encoding"), ",")); enc != "" {
			body = compress(enc, body)
			h.Set("Content-Encoding", enc)
		}
	}
	if p.CRC32 {
		h.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// compress encodes body as gzip or deflate (the zlib format, as HTTP's
// deflate coding is).
func compress(enc string, body []byte) []byte {
	var b bytes.Buffer
	if enc == "gzip" {
		zw := gzip.NewWriter(&b)
		zw.Write(body)
		zw.Close()
	} else {
		zw := zlib.NewWriter(&b)
		zw.Write(body)
		zw.Close()
	}
	return b.Bytes()
}
