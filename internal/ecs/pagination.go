package ecs

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// ECS's list operations return at most 100 results a page, their
// default when maxResults is unset.
const maxPage = 100

// tokenPrefix marks virga's next tokens, which carry the offset of the
// next page.
const tokenPrefix = "ecs-page:"

func encodeToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + strconv.Itoa(offset)))
}

// decodeToken is the offset a next token carries.
func decodeToken(tok string) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	rest, ok := strings.CutPrefix(string(raw), tokenPrefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// paginate returns the page of items a token and maxResults select.
func paginate[T any](items []T, token *string, maxResults *int32) ([]T, *string, error) {
	limit := maxPage
	if maxResults != nil {
		if *maxResults < 1 || *maxResults > maxPage {
			return nil, nil, ErrInvalidParameter.WithMessage("maxResults must be between 1 and 100.")
		}
		limit = int(*maxResults)
	}
	start := 0
	if t := deref(token); t != "" {
		n, ok := decodeToken(t)
		if !ok {
			return nil, nil, ErrInvalidParameter.WithMessage("Invalid token " + t)
		}
		start = min(n, len(items))
	}
	end := min(start+limit, len(items))
	page := append([]T{}, items[start:end]...)
	if end < len(items) {
		return page, ptr(encodeToken(end)), nil
	}
	return page, nil, nil
}
