package acm

import (
	"context"
	"slices"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/store"
)

// checkTags returns the tags with add merged in (a key already there
// takes the new value), refusing keys in the aws: namespace (but for
// CloudFormation's own, see awsproto.WithReservedTags) and more than
// maxTags tags of the caller's.
func checkTags(ctx context.Context, tags []tag, add []Tag) ([]tag, error) {
	if k, ok := awsproto.ForbiddenTagKey(ctx, add, func(t Tag) string { return *t.Key }); ok {
		// Wording unconfirmed.
		return nil, ErrInvalidTag.Withf("Tag key '%s' uses the reserved prefix aws:.", k)
	}
	out := slices.Clone(tags)
	for _, t := range add {
		i := slices.IndexFunc(out, func(x tag) bool { return x.Key == *t.Key })
		if i < 0 {
			out = append(out, tag{Key: *t.Key, Value: t.Value})
		} else {
			out[i].Value = t.Value
		}
	}
	if awsproto.UserTags(out, func(t tag) string { return t.Key }) > maxTags {
		// Wording unconfirmed.
		return nil, ErrTooManyTags.Withf("A certificate can have at most %d tags.", maxTags)
	}
	return out, nil
}

// apiTags is tags as the API writes them.
func apiTags(tags []tag) []Tag {
	out := make([]Tag, 0, len(tags))
	for _, t := range tags {
		out = append(out, Tag{Key: ptr(t.Key), Value: t.Value})
	}
	return out
}

// changeCertificate runs f on the certificate an ARN names and stores
// what f made of it.
func (s *Service) changeCertificate(ctx context.Context, arn string, f func(c *certificate) error) error {
	return s.update(ctx, func(b store.Batch) error {
		c, err := s.load(s.store, arn)
		if err != nil {
			return err
		}
		if err := f(c); err != nil {
			return err
		}
		return s.put(b, c)
	})
}

func (s *Service) addTagsToCertificate(ctx context.Context, in *AddTagsToCertificateRequest) (*noOutput, error) {
	return &noOutput{}, s.changeCertificate(ctx, *in.CertificateArn, func(c *certificate) error {
		tags, err := checkTags(ctx, c.Tags, in.Tags)
		c.Tags = tags
		return err
	})
}

// removeTagsFromCertificate removes each tag whose key matches and,
// when the request gives a value, whose value matches too.
func (s *Service) removeTagsFromCertificate(ctx context.Context, in *RemoveTagsFromCertificateRequest) (*noOutput, error) {
	return &noOutput{}, s.changeCertificate(ctx, *in.CertificateArn, func(c *certificate) error {
		c.Tags = slices.DeleteFunc(c.Tags, func(t tag) bool {
			return slices.ContainsFunc(in.Tags, func(r Tag) bool {
				return *r.Key == t.Key && (r.Value == nil || deref(t.Value) == *r.Value)
			})
		})
		return nil
	})
}

func (s *Service) listTagsForCertificate(ctx context.Context, in *ListTagsForCertificateRequest) (*ListTagsForCertificateResponse, error) {
	c, err := s.load(s.store, *in.CertificateArn)
	if err != nil {
		return nil, err
	}
	out := &ListTagsForCertificateResponse{}
	if len(c.Tags) > 0 {
		out.Tags = apiTags(c.Tags)
	}
	return out, nil
}

func (s *Service) deleteCertificate(ctx context.Context, in *DeleteCertificateRequest) (*noOutput, error) {
	return &noOutput{}, s.update(ctx, func(b store.Batch) error {
		c, err := s.load(s.store, *in.CertificateArn)
		if err != nil {
			return err
		}
		if len(s.inUseBy(c)) > 0 {
			return inUse(c.ARN, s.account)
		}
		id, _ := s.certID(c.ARN)
		b.Delete(certKey(id))
		return nil
	})
}

// updateCertificateOptions sets whether the certificate is to be
// recorded in certificate transparency logs (virga records none).
func (s *Service) updateCertificateOptions(ctx context.Context, in *UpdateCertificateOptionsRequest) (*noOutput, error) {
	return &noOutput{}, s.changeCertificate(ctx, *in.CertificateArn, func(c *certificate) error {
		if p := in.Options.CertificateTransparencyLoggingPreference; p != nil {
			c.Transparency = string(*p)
		}
		return nil
	})
}
