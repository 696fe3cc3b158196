package s3

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
)

// The aws-chunked content encoding (SigV4 "streaming" uploads) frames the
// payload as chunks:
//
//	hex-size[;chunk-signature=SIG]\r\n
//	data\r\n
//	...
//	0[;chunk-signature=SIG]\r\n
//	[trailer-name:value\r\n ...]     (the *-TRAILER variants)
//	[x-amz-trailer-signature:SIG\r\n]
//	\r\n
//
// The X-Amz-Content-Sha256 header names the variant:
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD (signed chunks, no trailer),
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER (signed chunks and trailer)
// and STREAMING-UNSIGNED-PAYLOAD-TRAILER (what aws-sdk-go-v2 and the aws
// CLI send for a checksum computed while they upload).
const (
	streamingSigned         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTrailer  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsignedTrailr = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	unsignedPayload         = "UNSIGNED-PAYLOAD"
)

// maxChunkLine bounds a chunk header or trailer line; real ones are under
// 200 bytes (a 16-digit size and a 64-digit signature).
const maxChunkLine = 4096

// maxTrailers bounds the number of trailer lines.
const maxTrailers = 16

// errChunk is a body that does not follow the aws-chunked framing.
var errChunk = errors.New("malformed aws-chunked body")

// chunkedReader decodes an aws-chunked body. Read returns the payload;
// once it has returned io.EOF, Trailers holds the trailing headers
// (lower-case names) and Signatures the chunk signatures in order.
type chunkedReader struct {
	r         *bufio.Reader
	remaining int64 // bytes left in the current chunk
	done      bool
	err       error
	// Trailers are the trailing headers, by lower-case name.
	Trailers map[string]string
	// Signatures are the chunk signatures, the final empty chunk's last;
	// TrailerSignature is x-amz-trailer-signature's value.
	Signatures       []string
	TrailerSignature string
	// trailerText is the trailing headers as "name:value\n" lines in
	// the order sent, which the trailer signature covers.
	trailerText string
	// chunkSizes is each chunk's size, in order.
	chunkSizes []int64
	// onChunk, when set, sees each chunk's data as it is read and is told
	// when the chunk ends (data == nil), for signature verification.
	onChunk func(data []byte, end bool) error
}

func newChunkedReader(r io.Reader) *chunkedReader {
	return &chunkedReader{r: bufio.NewReaderSize(r, 64<<10), Trailers: map[string]string{}, remaining: -1}
}

// readLine reads one CRLF-terminated line, without the CRLF.
func (c *chunkedReader) readLine() (string, error) {
	var line []byte
	for {
		part, isPrefix, err := c.r.ReadLine()
		if err != nil {
			if err == io.EOF {
				return "", io.ErrUnexpectedEOF
			}
			return "", err
		}
		line = append(line, part...)
		if len(line) > maxChunkLine {
			return "", errChunk
		}
		if !isPrefix {
			return string(line), nil
		}
	}
}

// header reads a chunk header and returns the chunk's size.
func (c *chunkedReader) header() (int64, error) {
	line, err := c.readLine()
	if err != nil {
		return 0, err
	}
	sizeText, ext, hasExt := strings.Cut(line, ";")
	sizeText = strings.TrimSpace(sizeText)
	if sizeText == "" || len(sizeText) > 16 {
		return 0, errChunk
	}
	size, err := strconv.ParseInt(sizeText, 16, 64)
	if err != nil || size < 0 || size > maxObjectSize {
		return 0, errChunk
	}
	if hasExt {
		k, v, ok := strings.Cut(ext, "=")
		if !ok || strings.TrimSpace(k) != "chunk-signature" {
			return 0, errChunk
		}
		c.Signatures = append(c.Signatures, strings.TrimSpace(v))
	}
	c.chunkSizes = append(c.chunkSizes, size)
	return size, nil
}

// trailer reads the trailing headers up to the empty line that ends the
// body.
func (c *chunkedReader) trailer() error {
	for n := 0; ; n++ {
		line, err := c.readLine()
		if err != nil {
			return err
		}
		if line == "" {
			return nil
		}
		if n >= maxTrailers {
			return errChunk
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return errChunk
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		if k == "x-amz-trailer-signature" {
			c.TrailerSignature = v
			continue
		}
		c.Trailers[k] = v
		c.trailerText += k + ":" + v + "\n"
	}
}

// crlf consumes the CRLF after a chunk's data.
func (c *chunkedReader) crlf() error {
	var b [2]byte
	if _, err := io.ReadFull(c.r, b[:]); err != nil {
		return io.ErrUnexpectedEOF
	}
	if b != [2]byte{'\r', '\n'} {
		return errChunk
	}
	return nil
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	for c.remaining <= 0 {
		if c.remaining == 0 {
			if err := c.crlf(); err != nil {
				c.err = err
				return 0, err
			}
			if c.onChunk != nil {
				if err := c.onChunk(nil, true); err != nil {
					c.err = err
					return 0, err
				}
			}
		}
		size, err := c.header()
		if err != nil {
			c.err = err
			return 0, err
		}
		if size == 0 {
			if c.onChunk != nil {
				if err := c.onChunk(nil, true); err != nil {
					c.err = err
					return 0, err
				}
			}
			if err := c.trailer(); err != nil {
				c.err = err
				return 0, err
			}
			c.err = io.EOF
			return 0, io.EOF
		}
		c.remaining = size
	}
	if int64(len(p)) > c.remaining {
		p = p[:c.remaining]
	}
	n, err := c.r.Read(p)
	c.remaining -= int64(n)
	if n > 0 && c.onChunk != nil {
		if cerr := c.onChunk(p[:n], false); cerr != nil {
			c.err = cerr
			return n, cerr
		}
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		c.err = err
	}
	return n, err
}

// decodeChunked decodes a whole aws-chunked body in memory, for tests and
// fuzzing.
func decodeChunked(body []byte) ([]byte, map[string]string, error) {
	c := newChunkedReader(bytes.NewReader(body))
	data, err := io.ReadAll(c)
	return data, c.Trailers, err
}
