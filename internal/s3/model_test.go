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

type versionsResult struct {
	Versions []struct {
		Key, VersionId string
		IsLatest       bool
	} `xml:"Version"`
	DeleteMarkers []struct {
		Key, VersionId string
		IsLatest       bool
	} `xml:"DeleteMarker"`
	CommonPrefixes []struct {
		Prefix string
	}
	IsTruncated                        bool
	NextKeyMarker, NextVersionIdMarker string
}

type modelVersion struct {
	id     string
	marker bool
	body   string
}

// TestVersioningModel runs random puts, deletes and deletes of versions
// while versioning is enabled or suspended, and checks after each round
// every key's current object and ListObjectVersions, paged, against the
// model: each key's versions newest first, the null version unique.
func TestVersioningModel(t *testing.T) {
	t.Parallel()
	s := newTestService(t, "")
	serve(s, "PUT", "/vmodel", nil)
	setVersioning := func(status string) {
		body := `<VersioningConfiguration><Status>` + status + `</Status></VersioningConfiguration>`
		if w := serve(s, "PUT", "/vmodel?versioning", []byte(body)); w.Code != 200 {
			t.Fatalf("versioning %s: %d %s", status, w.Code, w.Body)
		}
	}
	setVersioning("Enabled")
	suspended := false
	rng := rand.New(rand.NewPCG(3, 4))
	keyNames := []string{"a", "a/b", "a/c", "b", "c/d"}
	model := map[string][]modelVersion{}
	// push puts v on top of k's versions; a null version replaces the
	// previous null one.
	push := func(k string, v modelVersion) {
		vs := model[k]
		if v.id == "null" {
			vs = slices.DeleteFunc(vs, func(x modelVersion) bool { return x.id == "null" })
		}
		model[k] = append([]modelVersion{v}, vs...)
	}
	for round := range 60 {
		for range 6 {
			k := keyNames[rng.IntN(len(keyNames))]
			switch op := rng.IntN(10); {
			case op < 5:
				body := fmt.Sprintf("%s@%d", k, rng.IntN(1000))
				w := serve(s, "PUT", "/vmodel/"+k, []byte(body))
				if w.Code != 200 {
					t.Fatalf("put: %d %s", w.Code, w.Body)
				}
				push(k, modelVersion{id: w.Header().Get("X-Amz-Version-Id"), body: body})
			case op < 8:
				w := serve(s, "DELETE", "/vmodel/"+k, nil)
				if w.Code != 204 || w.Header().Get("X-Amz-Delete-Marker") != "true" {
					t.Fatalf("delete: %d %v", w.Code, w.Header())
				}
				push(k, modelVersion{id: w.Header().Get("X-Amz-Version-Id"), marker: true})
			default:
				if len(model[k]) == 0 {
					continue
				}
				i := rng.IntN(len(model[k]))
				if w := serve(s, "DELETE", "/vmodel/"+k+"?versionId="+model[k][i].id, nil); w.Code != 204 {
					t.Fatalf("delete version: %d %s", w.Code, w.Body)
				}
				model[k] = slices.Delete(model[k], i, i+1)
				if len(model[k]) == 0 {
					delete(model, k)
				}
			}
		}
		if rng.IntN(8) == 0 {
			suspended = !suspended
			setVersioning(map[bool]string{true: "Suspended", false: "Enabled"}[suspended])
		}
		for _, k := range keyNames {
			w := serve(s, "GET", "/vmodel/"+k, nil)
			vs := model[k]
			switch {
			case len(vs) == 0 || vs[0].marker:
				if w.Code != 404 {
					t.Fatalf("round %d: GET %s = %d %s, want 404", round, k, w.Code, w.Body)
				}
			case w.Code != 200 || w.Body.String() != vs[0].body || w.Header().Get("X-Amz-Version-Id") != vs[0].id:
				t.Fatalf("round %d: GET %s = %d %q %s, want %q %s", round, k, w.Code, w.Body, w.Header().Get("X-Amz-Version-Id"), vs[0].body, vs[0].id)
			}
		}
		// The whole listing, in pages.
		var want, got []string
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range model {
				if !yield(k) {
					return
				}
			}
		}) {
			for i, v := range model[k] {
				want = append(want, fmt.Sprintf("%s %s %v %v", k, v.id, v.marker, i == 0))
			}
		}
		max := 1 + rng.IntN(4)
		keyMarker, idMarker := "", ""
		for page := 0; ; page++ {
			q := url.Values{"versions": {""}, "max-keys": {fmt.Sprint(max)}}
			if keyMarker != "" {
				q.Set("key-marker", keyMarker)
				if idMarker != "" { // S3 refuses an empty version-id-marker
					q.Set("version-id-marker", idMarker)
				}
			}
			w := serve(s, "GET", "/vmodel?"+q.Encode(), nil)
			var r versionsResult
			if w.Code != 200 || xml.Unmarshal(w.Body.Bytes(), &r) != nil {
				t.Fatalf("ListObjectVersions: %d %s", w.Code, w.Body)
			}
			var entries []string
			for _, v := range r.Versions {
				entries = append(entries, fmt.Sprintf("%s %s %v %v", v.Key, v.VersionId, false, v.IsLatest))
			}
			for _, v := range r.DeleteMarkers {
				entries = append(entries, fmt.Sprintf("%s %s %v %v", v.Key, v.VersionId, true, v.IsLatest))
			}
			// Versions and markers come as two lists: put them back in
			// the model's order to compare.
			pos := map[string]int{}
			for i, e := range want {
				pos[e] = i
			}
			slices.SortFunc(entries, func(a, b string) int { return pos[a] - pos[b] })
			got = append(got, entries...)
			if !r.IsTruncated {
				break
			}
			if page > 100 {
				t.Fatal("listing does not end")
			}
			keyMarker, idMarker = r.NextKeyMarker, r.NextVersionIdMarker
		}
		if !slices.Equal(got, want) {
			t.Fatalf("round %d (max-keys %d):\n got %q\nwant %q", round, max, got, want)
		}

		// With a delimiter, keys under a/ and c/ roll up, once each.
		var wantD, gotD []string
		for _, e := range want {
			k, _, _ := strings.Cut(e, " ")
			if i := strings.Index(k, "/"); i >= 0 {
				if p := "P:" + k[:i+1]; !slices.Contains(wantD, p) {
					wantD = append(wantD, p)
				}
				continue
			}
			wantD = append(wantD, e)
		}
		keyMarker, idMarker = "", ""
		for page := 0; ; page++ {
			q := url.Values{"versions": {""}, "max-keys": {fmt.Sprint(max)}, "delimiter": {"/"}}
			if keyMarker != "" {
				q.Set("key-marker", keyMarker)
				if idMarker != "" { // S3 refuses an empty version-id-marker
					q.Set("version-id-marker", idMarker)
				}
			}
			w := serve(s, "GET", "/vmodel?"+q.Encode(), nil)
			var r versionsResult
			if w.Code != 200 || xml.Unmarshal(w.Body.Bytes(), &r) != nil {
				t.Fatalf("ListObjectVersions: %d %s", w.Code, w.Body)
			}
			var entries []string
			for _, v := range r.Versions {
				entries = append(entries, fmt.Sprintf("%s %s %v %v", v.Key, v.VersionId, false, v.IsLatest))
			}
			for _, v := range r.DeleteMarkers {
				entries = append(entries, fmt.Sprintf("%s %s %v %v", v.Key, v.VersionId, true, v.IsLatest))
			}
			for _, p := range r.CommonPrefixes {
				entries = append(entries, "P:"+p.Prefix)
			}
			pos := map[string]int{}
			for i, e := range wantD {
				pos[e] = i
			}
			slices.SortFunc(entries, func(a, b string) int { return pos[a] - pos[b] })
			gotD = append(gotD, entries...)
			if !r.IsTruncated {
				break
			}
			if page > 100 {
				t.Fatal("listing does not end")
			}
			keyMarker, idMarker = r.NextKeyMarker, r.NextVersionIdMarker
		}
		if !slices.Equal(gotD, wantD) {
			t.Fatalf("round %d with a delimiter (max-keys %d):\n got %q\nwant %q", round, max, gotD, wantD)
		}
	}
}
