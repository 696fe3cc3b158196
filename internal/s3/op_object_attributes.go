package s3

import (
	"context"
	"slices"
	"strings"
)

// objectAttributes are the values x-amz-object-attributes may name.
var objectAttributes = []string{"ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"}

// getObjectAttributes answers what the request names of an object's
// attributes. Its ETag is unquoted, as S3 writes it here. ObjectParts
// (a multipart object's only) gives the parts' count: S3 lists the parts
// themselves only for an object uploaded with additional per-part
// checksums, which virga does not keep.
func (s *Service) getObjectAttributes(_ context.Context, in *GetObjectAttributesRequest) (*GetObjectAttributesOutput, error) {
	var want []string
	for _, a := range in.ObjectAttributes {
		for _, v := range strings.Split(a, ",") {
			v = strings.TrimSpace(v)
			if !slices.Contains(objectAttributes, v) {
				return nil, invalidArgument("x-amz-object-attributes", v, "Invalid attribute name specified.")
			}
			want = append(want, v)
		}
	}
	if len(want) == 0 {
		return nil, invalidArgument("x-amz-object-attributes", "", "Minimum of one object attribute must be specified.")
	}
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	o, err := s.lookup(b, *in.Key, in.VersionId)
	if err != nil {
		return nil, err
	}
	out := &GetObjectAttributesOutput{LastModified: &o.LastModified, VersionId: versionHeader(b, o)}
	for _, a := range want {
		switch a {
		case "ETag":
			out.ETag = strptr(strings.Trim(o.ETag, `"`))
		case "Checksum":
			if o.Checksum.Algorithm != "" {
				cs := o.Checksum.members()
				out.Checksum = &Checksum{ChecksumCRC32: cs.CRC32, ChecksumCRC32C: cs.CRC32C, ChecksumCRC64NVME: cs.CRC64NVME,
					ChecksumSHA1: cs.SHA1, ChecksumSHA256: cs.SHA256, ChecksumType: cs.Type}
			}
		case "ObjectParts":
			if o.PartsCount > 0 {
				out.ObjectParts = &GetObjectAttributesParts{TotalPartsCount: int32ptr(o.PartsCount)}
			}
		case "StorageClass":
			out.StorageClass = strptr("STANDARD")
			if o.StorageClass != "" {
				out.StorageClass = &o.StorageClass
			}
		case "ObjectSize":
			out.ObjectSize = &o.Size
		}
	}
	return out, nil
}
