package iam

import (
	"strconv"
	"strings"
)

// Limits from IAM's documentation.
const (
	// defaultMaxItems is what a listing returns when MaxItems is not
	// given ("If you do not include this parameter, the number of items
	// defaults to 100").
	defaultMaxItems = 100
	// defaultMaxSessionDuration is a role's MaxSessionDuration when
	// CreateRole is not given one: one hour.
	defaultMaxSessionDuration = 3600
	// maxTagsPerEntity is the number of tags a role or user may carry.
	maxTagsPerEntity = 50
	// maxPolicyVersions is how many versions a managed policy keeps.
	maxPolicyVersions = 5
)

// Prefixes of IAM's unique ids, as AWS shapes them.
const (
	rolePrefix    = "AROA"
	userPrefix    = "AIDA"
	policyPrefix  = "ANPA"
	profilePrefix = "AIPA"
	keyPrefix     = "AKIA"
)

// pathOr returns path, or "/" when none is given.
func pathOr(path *string) string {
	if path == nil || *path == "" {
		return "/"
	}
	return *path
}

// arn is an IAM ARN: IAM is global, so it names no region.
func (s *Service) arn(kind, path, name string) string {
	return "arn:aws:iam::" + s.account + ":" + kind + path + name
}

// awsManagedAccount is the account part of AWS managed policies' ARNs.
const awsManagedAccount = "aws"

// parsePolicyARN splits arn:aws:iam::ACCOUNT:policy/PATH/NAME.
func parsePolicyARN(arn string) (account, path, name string, ok bool) {
	rest, found := strings.CutPrefix(arn, "arn:aws:iam::")
	if !found {
		return "", "", "", false
	}
	account, rest, found = strings.Cut(rest, ":")
	if !found {
		return "", "", "", false
	}
	rest, found = strings.CutPrefix(rest, "policy")
	if !found || !strings.HasPrefix(rest, "/") {
		return "", "", "", false
	}
	i := strings.LastIndexByte(rest, '/')
	path, name = rest[:i+1], rest[i+1:]
	if name == "" {
		return "", "", "", false
	}
	return account, path, name, true
}

// hasPathPrefix reports whether path is under prefix (all paths are
// under an empty prefix).
func hasPathPrefix(path string, prefix *string) bool {
	return prefix == nil || strings.HasPrefix(path, *prefix)
}

// page returns the part of items (sorted by key) a listing answers: those
// after marker, at most maxItems, and the marker of the next page when
// there is more. Markers are the key of the last item returned.
func page[T any](items []T, key func(T) string, marker *string, maxItems *int32) (out []T, truncated *bool, next *string) {
	start := 0
	if marker != nil && *marker != "" {
		for start < len(items) && key(items[start]) <= *marker {
			start++
		}
	}
	n := defaultMaxItems
	if maxItems != nil {
		n = int(*maxItems)
	}
	items = items[start:]
	more := len(items) > n
	if more {
		items = items[:n]
		m := key(items[n-1])
		next = &m
	}
	return items, &more, next
}

// pageAt returns the part of items a listing that pages by position
// answers: from the index marker gives, at most maxItems, and the index
// of the next page's first item as its marker when there is more.
func pageAt[T any](items []T, marker *string, maxItems *int32) (out []T, truncated *bool, next *string, err error) {
	start := 0
	if marker != nil {
		n, err := strconv.Atoi(*marker)
		if err != nil || n < 0 || n > len(items) {
			return nil, nil, nil, ErrInvalidInput.WithMessage("Invalid Marker.")
		}
		start = n
	}
	limit := defaultMaxItems
	if maxItems != nil {
		limit = int(*maxItems)
	}
	end := min(start+limit, len(items))
	if end < len(items) {
		next = ptr(strconv.Itoa(end))
	}
	return items[start:end], ptr(next != nil), next, nil
}

// mergeTags adds tags to have, replacing the values of keys it has.
func mergeTags(have []tagRecord, tags []Tag) []tagRecord {
	for _, t := range tags {
		replaced := false
		for i := range have {
			if have[i].Key == *t.Key {
				have[i].Value = deref(t.Value)
				replaced = true
			}
		}
		if !replaced {
			have = append(have, tagRecord{Key: *t.Key, Value: deref(t.Value)})
		}
	}
	return have
}

// removeTags drops the tags with the given keys.
func removeTags(have []tagRecord, keys []string) []tagRecord {
	out := have[:0]
	for _, t := range have {
		drop := false
		for _, k := range keys {
			drop = drop || t.Key == k
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}

func tagsOut(tags []tagRecord) []Tag {
	var out []Tag
	for _, t := range tags {
		out = append(out, Tag{Key: ptr(t.Key), Value: ptr(t.Value)})
	}
	return out
}

func tooManyTags() error {
	return ErrLimitExceeded.Withf("The number of tags has reached the maximum limit of %d.", maxTagsPerEntity)
}

func ptr[T any](v T) *T { return &v }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
