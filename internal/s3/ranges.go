package s3

import (
	"strconv"
	"strings"
)

// byteRange is a satisfiable range of an object: [start, start+length).
type byteRange struct {
	start, length int64
}

// parseRange reads a Range header against an object of size bytes, as
// S3 does: one range of the bytes unit, "bytes=first-last", "bytes=first-"
// or "bytes=-suffix". ok is false when the header is to be ignored (S3
// answers the whole object for a header it cannot parse, or for several
// ranges); err is InvalidRange for a range that starts past the end, or a
// zero-length suffix.
func parseRange(header string, size int64) (r byteRange, ok bool, err error) {
	spec, found := strings.CutPrefix(strings.TrimSpace(header), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return byteRange{}, false, nil
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return byteRange{}, false, nil
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first == "" {
		n, perr := strconv.ParseInt(last, 10, 64)
		if perr != nil || n < 0 {
			return byteRange{}, false, nil
		}
		if n == 0 {
			return byteRange{}, false, ErrInvalidRange
		}
		if n > size {
			n = size
		}
		if size == 0 {
			return byteRange{}, false, ErrInvalidRange
		}
		return byteRange{start: size - n, length: n}, true, nil
	}
	start, perr := strconv.ParseInt(first, 10, 64)
	if perr != nil || start < 0 {
		return byteRange{}, false, nil
	}
	end := size - 1
	if last != "" {
		e, perr := strconv.ParseInt(last, 10, 64)
		if perr != nil || e < start {
			return byteRange{}, false, nil
		}
		end = min(e, size-1)
	}
	if start >= size {
		return byteRange{}, false, ErrInvalidRange
	}
	return byteRange{start: start, length: end - start + 1}, true, nil
}

// contentRange is the Content-Range header of a 206 response.
func (r byteRange) contentRange(size int64) string {
	return "bytes " + strconv.FormatInt(r.start, 10) + "-" + strconv.FormatInt(r.start+r.length-1, 10) + "/" + strconv.FormatInt(size, 10)
}

func itoa(n int64) *string {
	s := strconv.FormatInt(n, 10)
	return &s
}
