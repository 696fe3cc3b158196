package s3

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/virga/virga/internal/store/keys"
)

// listing is one page of a bucket's keys: objects and the common
// prefixes the delimiter rolls keys up into, in key order, together at
// most max entries.
type listing struct {
	objects   []objectRecord
	prefixes  []string
	truncated bool
	// last is the last key or common prefix returned (ListObjects'
	// NextMarker); resume is where the next page starts.
	last   string
	resume position
}

// position is where a listing resumes: after a key, or after every key
// under a common prefix.
type position struct {
	after    string
	isPrefix bool
}

// token encodes a position as a continuation token.
func (p position) token() string {
	kind := "k"
	if p.isPrefix {
		kind = "p"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(kind + p.after))
}

func parseToken(tok string) (position, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) < 1 || (raw[0] != 'k' && raw[0] != 'p') {
		return position{}, false
	}
	return position{after: string(raw[1:]), isPrefix: raw[0] == 'p'}, true
}

// list reads one page of bucket's keys under prefix, starting after from.
func (s *Service) list(bucket, prefix, delimiter string, from position, max int) (*listing, error) {
	base := objectsPrefix(bucket)
	lower := keys.AppendStringPrefix(append([]byte(nil), base...), prefix)
	upper := keys.PrefixEnd(lower)
	it, err := s.store.NewIter(lower, upper)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	out := &listing{}
	var ok bool
	switch {
	case from.isPrefix:
		ok = it.SeekGE(keys.PrefixEnd(keys.AppendStringPrefix(append([]byte(nil), base...), from.after)))
	case from.after != "":
		ok = it.SeekGE(objectKey(bucket, from.after))
	default:
		ok = it.First()
	}
	for ; ok; ok = it.Next() {
		var o objectRecord
		if err := json.Unmarshal(it.Value(), &o); err != nil {
			return nil, err
		}
		if !from.isPrefix && from.after != "" && o.Key <= from.after || o.DeleteMarker {
			continue
		}
		if delimiter != "" {
			if i := strings.Index(o.Key[len(prefix):], delimiter); i >= 0 {
				cp := o.Key[:len(prefix)+i+len(delimiter)]
				if len(out.objects)+len(out.prefixes) >= max {
					out.truncated = true
					break
				}
				out.prefixes = append(out.prefixes, cp)
				out.last, out.resume = cp, position{after: cp, isPrefix: true}
				// Skip the rest of the keys under cp.
				ok = it.SeekGE(keys.PrefixEnd(keys.AppendStringPrefix(append([]byte(nil), base...), cp)))
				if !ok {
					break
				}
				it.Prev()
				continue
			}
		}
		if len(out.objects)+len(out.prefixes) >= max {
			out.truncated = true
			break
		}
		out.objects = append(out.objects, o)
		out.last, out.resume = o.Key, position{after: o.Key}
	}
	return out, it.Error()
}

// encoder applies encoding-type=url to the keys and prefixes a listing
// returns (S3 URL-encodes them so that XML 1.0 can carry any key).
type encoder bool

func (e encoder) s(v string) *string {
	if e {
		v = strings.ReplaceAll(url.QueryEscape(v), "%2F", "/")
	}
	return &v
}

func (e encoder) opt(v *string) *string {
	if v == nil {
		return nil
	}
	return e.s(*v)
}

// listing checks what every listing checks first: that the bucket
// exists, its encoding-type and its max-keys.
func (s *Service) listing(bucket string, encodingType *string, maxKeys *int32) (encoder, int, error) {
	if _, err := s.bucket(s.store, bucket); err != nil {
		return false, 0, err
	}
	enc, err := checkEncodingType(encodingType)
	if err != nil {
		return false, 0, err
	}
	max, err := pageSize(maxKeys)
	if err != nil {
		return false, 0, err
	}
	return enc, max, nil
}

func checkEncodingType(v *string) (encoder, error) {
	if v == nil {
		return false, nil
	}
	if *v != "url" {
		return false, invalidArgument("encoding-type", *v, "Invalid Encoding Method specified in Request")
	}
	return true, nil
}

// pageSize is max-keys, capped at 1,000.
func pageSize(v *int32) (int, error) {
	if v == nil {
		return maxKeys, nil
	}
	if *v < 0 {
		return 0, invalidArgument("max-keys", itoaStr(int64(*v)), "Provided max-keys not an integer or within integer range")
	}
	return min(int(*v), maxKeys), nil
}

func itoaStr(n int64) string { return *itoa(n) }

func (s *Service) objectEntry(o *objectRecord, enc encoder, owner bool) Object {
	e := Object{Key: enc.s(o.Key), LastModified: &o.LastModified, ETag: &o.ETag, Size: &o.Size, StorageClass: strptr("STANDARD")}
	if o.StorageClass != "" {
		e.StorageClass = &o.StorageClass
	}
	if o.Checksum.Algorithm != "" {
		e.ChecksumAlgorithm = []string{o.Checksum.Algorithm}
		e.ChecksumType = optStr(o.Checksum.Type)
	}
	if owner {
		e.Owner = s.owner()
	}
	return e
}
