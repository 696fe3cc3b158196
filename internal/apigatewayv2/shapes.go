package apigatewayv2

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Conversions between the records and the model's shapes, whose members
// are pointers.

func ptr[T any](v T) *T { return &v }

// ptrIf is true's pointer, or nil for false: members AWS leaves out
// unless they are set.
func ptrIf(b bool) *bool {
	if !b {
		return nil
	}
	return ptr(true)
}

func ptrNonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// setIf sets *dst to *src when src is given.
func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// tagsOut renders tags: AWS answers an empty map rather than none.
func tagsOut(tags map[string]string) map[string]string { return nonNilMap(tags) }

func nonNilMap[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}

// pageOldestFirst returns the page of records (a map of s's, read under
// s.mu) a Get...s call asks for, oldest first and then by id, as key
// gives them.
func pageOldestFirst[R any](s *Service, records map[string]*R, key func(*R) (time.Time, string), maxResults, nextToken *string) ([]*R, *string, error) {
	s.mu.RLock()
	all := slices.Collect(maps.Values(records))
	s.mu.RUnlock()
	slices.SortFunc(all, func(a, b *R) int {
		ta, ia := key(a)
		tb, ib := key(b)
		if c := ta.Compare(tb); c != 0 {
			return c
		}
		return strings.Compare(ia, ib)
	})
	return page(all, maxResults, nextToken)
}

// page returns the page of items a Get...s call asks for. NextToken is
// the index of the page's first item.
func page[T any](items []T, maxResults, nextToken *string) ([]T, *string, error) {
	start := 0
	if nextToken != nil && *nextToken != "" {
		n, err := strconv.Atoi(*nextToken)
		if err != nil || n < 0 || n > len(items) {
			return nil, nil, badRequest("Invalid NextToken %s", *nextToken)
		}
		start = n
	}
	end := len(items)
	if maxResults != nil {
		m, err := strconv.Atoi(*maxResults)
		if err != nil || m < 1 {
			return nil, nil, badRequest("Invalid MaxResults %s: a positive number is required.", *maxResults)
		}
		end = min(end, start+m)
	}
	var next *string
	if end < len(items) {
		next = ptr(strconv.Itoa(end))
	}
	return items[start:end], next, nil
}

// corsFromShape checks a CorsConfiguration and returns it as stored.
func corsFromShape(c *Cors) (*corsConfig, error) {
	if c == nil {
		return nil, nil
	}
	out := &corsConfig{
		AllowCredentials: deref(c.AllowCredentials, false),
		AllowHeaders:     c.AllowHeaders, AllowMethods: c.AllowMethods,
		AllowOrigins: c.AllowOrigins, ExposeHeaders: c.ExposeHeaders, MaxAge: c.MaxAge,
	}
	if out.AllowCredentials && slices.Contains(out.AllowOrigins, "*") {
		return nil, badRequest("allow-credentials is not supported if 'allow-origin' is *")
	}
	return out, nil
}

// shape renders a CORS configuration as the operations return it.
func (c *corsConfig) shape() *Cors {
	if c == nil {
		return nil
	}
	return &Cors{
		AllowCredentials: ptr(c.AllowCredentials), AllowHeaders: c.AllowHeaders, AllowMethods: c.AllowMethods,
		AllowOrigins: c.AllowOrigins, ExposeHeaders: c.ExposeHeaders, MaxAge: c.MaxAge,
	}
}
