package s3

import (
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
)

type listResult struct {
	Contents []struct {
		Key string
	}
	CommonPrefixes []struct {
		Prefix string
	}
	IsTruncated           bool
	NextContinuationToken string
	NextMarker            string
}

// modelListing is what a listing must return, by S3's rules: the keys
// under prefix in byte order, those with the delimiter after the prefix
// rolled up into one common prefix each.
func modelListing(keys map[string]bool, prefix, delim string) []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range keys {
			if !yield(k) {
				return
			}
		}
	}) {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				cp := k[:len(prefix)+i+len(delim)]
				if !seen[cp] {
					seen[cp] = true
					out = append(out, "P:"+cp)
				}
				continue
			}
		}
		out = append(out, "K:"+k)
	}
	return out
}

// TestListingModel runs random puts and deletes, then pages through
// ListObjectsV2 and ListObjects with random prefixes, delimiters and page
// sizes, and compares what comes back with the model.
func TestListingModel(t *testing.T) {
	t.Parallel()
	s := newTestService(t, "")
	serve(s, "PUT", "/model", nil)
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "/", "-", "é"}
	randKey := func() string {
		var b strings.Builder
		for range 1 + rng.IntN(5) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	keys := map[string]bool{}
	for round := range 40 {
		for range 10 {
			k := randKey()
			if rng.IntN(3) == 0 {
				serve(s, "DELETE", "/model/"+url.PathEscape(k), nil)
				delete(keys, k)
			} else {
				if w := serve(s, "PUT", "/model/"+url.PathEscape(k), []byte(k)); w.Code != 200 {
					t.Fatalf("put %q: %d %s", k, w.Code, w.Body)
				}
				keys[k] = true
			}
		}
		prefix := []string{"", "a", "a/", "b", "/", "é"}[rng.IntN(6)]
		delim := []string{"", "/", "-", "a/"}[rng.IntN(4)]
		max := 1 + rng.IntN(4)
		want := modelListing(keys, prefix, delim)
		for _, v2 := range []bool{true, false} {
			var got []string
			token, marker := "", ""
			for page := 0; ; page++ {
				q := url.Values{"prefix": {prefix}, "max-keys": {fmt.Sprint(max)}}
				if delim != "" {
					q.Set("delimiter", delim)
				}
				if v2 {
					q.Set("list-type", "2")
					if token != "" {
						q.Set("continuation-token", token)
					}
				} else if marker != "" {
					q.Set("marker", marker)
				}
				w := serve(s, "GET", "/model?"+q.Encode(), nil)
				var r listResult
				if w.Code != 200 || xml.Unmarshal(w.Body.Bytes(), &r) != nil {
					t.Fatalf("list: %d %s", w.Code, w.Body)
				}
				// Entries come in key order whatever their kind.
				var entries []string
				for _, c := range r.Contents {
					entries = append(entries, "K:"+c.Key)
				}
				for _, p := range r.CommonPrefixes {
					entries = append(entries, "P:"+p.Prefix)
				}
				slices.SortFunc(entries, func(a, b string) int { return strings.Compare(a[2:], b[2:]) })
				if len(entries) > max {
					t.Fatalf("page of %d entries with max-keys %d", len(entries), max)
				}
				got = append(got, entries...)
				if !r.IsTruncated {
					break
				}
				if page > len(keys)+2 {
					t.Fatalf("listing does not end")
				}
				token = r.NextContinuationToken
				marker = r.NextMarker
				if !v2 && marker == "" && len(r.Contents) > 0 {
					marker = r.Contents[len(r.Contents)-1].Key // S3's advice without a delimiter
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("round %d, v2=%v, prefix %q, delimiter %q, max-keys %d:\n got %q\nwant %q", round, v2, prefix, delim, max, got, want)
			}
		}
	}
}
