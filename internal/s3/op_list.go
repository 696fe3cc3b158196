package s3

import (
	"context"
)

func (s *Service) listObjectsV2(_ context.Context, in *ListObjectsV2Request) (*ListObjectsV2Output, error) {
	enc, max, err := s.listing(*in.Bucket, in.EncodingType, in.MaxKeys)
	if err != nil {
		return nil, err
	}
	from := position{after: strDeref(in.StartAfter)}
	if in.ContinuationToken != nil {
		p, ok := parseToken(*in.ContinuationToken)
		if !ok {
			return nil, invalidArgument("continuation-token", *in.ContinuationToken, "The continuation token provided is incorrect")
		}
		if p.isPrefix || p.after > from.after {
			from = p
		}
	}
	page, err := s.list(*in.Bucket, strDeref(in.Prefix), strDeref(in.Delimiter), from, max)
	if err != nil {
		return nil, err
	}
	n := int32(max)
	count := int32(len(page.objects) + len(page.prefixes))
	out := &ListObjectsV2Output{
		Name: in.Bucket, Prefix: enc.s(strDeref(in.Prefix)), Delimiter: enc.opt(in.Delimiter), MaxKeys: &n,
		KeyCount: &count, IsTruncated: &page.truncated, ContinuationToken: in.ContinuationToken,
		StartAfter: enc.opt(in.StartAfter), EncodingType: in.EncodingType,
	}
	fetchOwner := in.FetchOwner != nil && *in.FetchOwner
	for i := range page.objects {
		out.Contents = append(out.Contents, s.objectEntry(&page.objects[i], enc, fetchOwner))
	}
	for _, p := range page.prefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, CommonPrefix{Prefix: enc.s(p)})
	}
	if page.truncated {
		out.NextContinuationToken = strptr(page.resume.token())
	}
	return out, nil
}

func (s *Service) listObjects(_ context.Context, in *ListObjectsRequest) (*ListObjectsOutput, error) {
	enc, max, err := s.listing(*in.Bucket, in.EncodingType, in.MaxKeys)
	if err != nil {
		return nil, err
	}
	marker := strDeref(in.Marker)
	from := position{after: marker}
	// A marker that is a common prefix (a NextMarker S3 returned) resumes
	// after every key under it.
	if d := strDeref(in.Delimiter); d != "" && marker != "" && len(marker) >= len(d) && marker[len(marker)-len(d):] == d {
		from.isPrefix = true
	}
	page, err := s.list(*in.Bucket, strDeref(in.Prefix), strDeref(in.Delimiter), from, max)
	if err != nil {
		return nil, err
	}
	n := int32(max)
	out := &ListObjectsOutput{
		Name: in.Bucket, Prefix: enc.s(strDeref(in.Prefix)), Delimiter: enc.opt(in.Delimiter), MaxKeys: &n,
		IsTruncated: &page.truncated, Marker: enc.s(marker), EncodingType: in.EncodingType,
	}
	for i := range page.objects {
		out.Contents = append(out.Contents, s.objectEntry(&page.objects[i], enc, true))
	}
	for _, p := range page.prefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, CommonPrefix{Prefix: enc.s(p)})
	}
	// "This element is returned only if you have the delimiter request
	// parameter specified."
	if page.truncated && in.Delimiter != nil {
		out.NextMarker = enc.s(page.last)
	}
	return out, nil
}
