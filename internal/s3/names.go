package s3

import (
	"net/netip"
	"strings"
)

// Limits from the S3 User Guide.
const (
	// maxKeyBytes: "The object key name is a sequence of Unicode
	// characters with UTF-8 encoding of up to 1,024 bytes long."
	maxKeyBytes = 1024
	// maxPutSize: "Upload an object in a single operation by using the
	// AWS SDKs, REST API, or AWS CLI – With a single PUT operation, you
	// can upload a single object up to 5 GB in size."
	maxPutSize = 5 << 30
	// maxObjectSize: an object made by a multipart upload is at most 5 TiB.
	maxObjectSize = 5 << 40
	// minPartSize: "5 MiB to 5 GiB. There is no minimum size limit on the
	// last part of your multipart upload."
	minPartSize = 5 << 20
	// maxPartNumber: "Part numbers: 1 to 10,000 (inclusive)".
	maxPartNumber = 10000
	// maxKeys is the most keys a list answers with (max-keys caps at 1,000).
	maxKeys = 1000
	// maxTags: "You can associate up to 10 tags with an object";
	// a bucket takes up to 50.
	maxObjectTags = 10
	maxBucketTags = 50
	// maxUserMetadata: "the user-defined metadata is limited to 2 KB in
	// size", measured as the sum of the bytes of each key and value.
	maxUserMetadata = 2 << 10
)

// validBucketName reports whether name follows the naming rules of
// general purpose buckets: 3 to 63 characters of lower-case letters,
// digits, dots and hyphens, starting and ending with a letter or digit, no
// two adjacent dots, not an IP address, and none of the prefixes and
// suffixes S3 reserves.
func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == '.' || c == '-':
			if i == 0 || i == len(name)-1 {
				return false
			}
			if c == '.' && name[i-1] == '.' {
				return false
			}
		default:
			return false
		}
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return false
		}
	}
	return true
}

// checkKey checks an object key: 1 to 1,024 bytes.
func checkKey(key string) error {
	if len(key) > maxKeyBytes {
		return ErrKeyTooLong.WithDetails(&keyTooLongDetails{Size: itoa(int64(len(key))), MaxSizeAllowed: itoa(maxKeyBytes)})
	}
	return nil
}

type keyTooLongDetails struct {
	Size           *string
	MaxSizeAllowed *string
}
