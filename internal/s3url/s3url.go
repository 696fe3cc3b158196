// Package s3url reads the URLs and URIs that name an object in Amazon S3,
// as AWS's services take them: CloudFormation's TemplateURL (of a stack,
// a nested stack or a SAM application's Location) is an https URL,
// SAM's CodeUri, ContentUri and DefinitionUri and the templates
// `aws cloudformation package` writes use s3://BUCKET/KEY.
//
// The https forms are S3's documented ways to address an object:
// virtual-hosted style (https://BUCKET.s3.amazonaws.com/KEY,
// https://BUCKET.s3.REGION.amazonaws.com/KEY, the legacy
// https://BUCKET.s3-REGION.amazonaws.com/KEY, dual-stack
// https://BUCKET.s3.dualstack.REGION.amazonaws.com/KEY) and path style
// (https://s3.amazonaws.com/BUCKET/KEY, https://s3.REGION.amazonaws.com/
// BUCKET/KEY, https://s3-REGION.amazonaws.com/BUCKET/KEY), in the
// amazonaws.com and amazonaws.com.cn domains. virga's own endpoint is an
// S3 endpoint too: path style on the hosts the caller names (its listen
// address, localhost, 127.0.0.1), at any port, and virtual-hosted style
// under .localhost (http://BUCKET.s3.localhost:4566/KEY,
// http://BUCKET.s3.REGION.localhost:4566/KEY), as virga's edge routes
// them. A versionId query parameter names a version.
//
// Keys in http(s) URLs are percent-decoded, as S3 decodes a request's
// path; keys in s3:// URIs are taken as written, as the SAM translator and
// the aws CLI take them.
package s3url

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Object names an object: its bucket, key and, when given, version.
type Object struct {
	Bucket, Key, VersionID string
}

// ErrNotS3 is what Parse and ParseURI wrap for anything that does not
// name an S3 object.
var ErrNotS3 = errors.New("not a URL of an Amazon S3 object")

// regionRe matches a region name (us-east-1, us-gov-west-1, cn-north-1).
var regionRe = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// defaultLocal are the hosts that are always virga's own endpoint.
var defaultLocal = []string{"localhost", "127.0.0.1", "::1"}

// Parse reads an http or https URL of an S3 object. local lists more
// host names (without port) that are virga's own endpoint.
func Parse(raw string, local ...string) (Object, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Object{}, fmt.Errorf("%w: %v", ErrNotS3, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Opaque != "" || u.User != nil {
		return Object{}, fmt.Errorf("%w: %q is not an http or https URL", ErrNotS3, raw)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	version := u.Query().Get("versionId")
	isLocal := false
	for _, h := range append(defaultLocal, local...) {
		if host == strings.ToLower(h) {
			isLocal = true
		}
	}
	var bucket string
	switch {
	case isLocal:
		return pathStyle(raw, u.Path, version)
	case strings.HasSuffix(host, ".amazonaws.com"):
		bucket, err = s3Host(strings.TrimSuffix(host, ".amazonaws.com"), true)
	case strings.HasSuffix(host, ".amazonaws.com.cn"):
		bucket, err = s3Host(strings.TrimSuffix(host, ".amazonaws.com.cn"), true)
	case strings.HasSuffix(host, ".localhost"):
		bucket, err = s3Host(strings.TrimSuffix(host, ".localhost"), false)
	default:
		return Object{}, fmt.Errorf("%w: %s is not an S3 endpoint", ErrNotS3, host)
	}
	if err != nil {
		return Object{}, fmt.Errorf("%w: %s is not an S3 endpoint", ErrNotS3, host)
	}
	if bucket == "" {
		return pathStyle(raw, u.Path, version)
	}
	key := strings.TrimPrefix(u.Path, "/")
	if key == "" {
		return Object{}, fmt.Errorf("%w: %q names no key", ErrNotS3, raw)
	}
	return Object{Bucket: bucket, Key: key, VersionID: version}, nil
}

// pathStyle reads /BUCKET/KEY.
func pathStyle(raw, path, version string) (Object, error) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if bucket == "" || key == "" {
		return Object{}, fmt.Errorf("%w: %q names no bucket and key", ErrNotS3, raw)
	}
	return Object{Bucket: bucket, Key: key, VersionID: version}, nil
}

// s3Host finds the bucket of a virtual-hosted style host name, given
// without its domain: "BUCKET.s3", "BUCKET.s3.REGION",
// "BUCKET.s3-REGION", "BUCKET.s3.dualstack.REGION"; or "" for a path
// style one ("s3", "s3.REGION", ...). legacy allows AWS's s3-REGION and
// s3-external-1 labels. The S3 label is looked for from the right, so a
// bucket named with dots, even "s3.x", is kept whole.
func s3Host(h string, legacy bool) (string, error) {
	labels := strings.Split(h, ".")
	for i := len(labels) - 1; i >= 0; i-- {
		if !s3Label(labels[i], legacy) || !regionSuffix(labels[i+1:]) {
			continue
		}
		bucket := strings.Join(labels[:i], ".")
		if labels[i] != "s3" && len(labels[i+1:]) > 0 {
			continue // s3-REGION.REGION
		}
		return bucket, nil
	}
	return "", ErrNotS3
}

func s3Label(l string, legacy bool) bool {
	if l == "s3" {
		return true
	}
	if !legacy {
		return false
	}
	rest, ok := strings.CutPrefix(l, "s3-")
	return ok && (rest == "external-1" || regionRe.MatchString(rest))
}

// regionSuffix reports whether what follows the S3 label is nothing, a
// region, or dualstack and a region.
func regionSuffix(rest []string) bool {
	switch len(rest) {
	case 0:
		return true
	case 1:
		return regionRe.MatchString(rest[0])
	case 2:
		return rest[0] == "dualstack" && regionRe.MatchString(rest[1])
	}
	return false
}

// ParseURI reads s3://BUCKET/KEY, with an optional versionId query
// parameter. The key is taken as written, without percent-decoding.
func ParseURI(raw string) (Object, error) {
	rest, ok := strings.CutPrefix(raw, "s3://")
	if !ok {
		return Object{}, fmt.Errorf("%w: %q is not an s3:// URI", ErrNotS3, raw)
	}
	rest, query, _ := strings.Cut(rest, "?")
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" || key == "" {
		return Object{}, fmt.Errorf("%w: %q names no bucket and key", ErrNotS3, raw)
	}
	var version string
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return Object{}, fmt.Errorf("%w: %v", ErrNotS3, err)
		}
		version = q.Get("versionId")
	}
	return Object{Bucket: bucket, Key: key, VersionID: version}, nil
}

// String is the object's s3:// URI.
func (o Object) String() string {
	s := "s3://" + o.Bucket + "/" + o.Key
	if o.VersionID != "" {
		s += "?versionId=" + url.QueryEscape(o.VersionID)
	}
	return s
}
