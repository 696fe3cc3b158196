package s3

import (
	"regexp"
	"strings"
	"testing"
)

// TestListObjectVersionsInterleaves: S3's document lists versions and
// delete markers as one sequence, keys in order and each key's entries
// newest first, not all versions and then all markers.
func TestListObjectVersionsInterleaves(t *testing.T) {
	t.Parallel()
	s := newTestService(t, "")
	serve(s, "PUT", "/ilv", nil)
	serve(s, "PUT", "/ilv?versioning", []byte(`<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`))
	serve(s, "PUT", "/ilv/a", []byte("1"))
	serve(s, "DELETE", "/ilv/a", nil)
	serve(s, "PUT", "/ilv/a", []byte("2"))
	serve(s, "PUT", "/ilv/b", []byte("1"))
	serve(s, "DELETE", "/ilv/b", nil)
	w := serve(s, "GET", "/ilv?versions", nil)
	if w.Code != 200 {
		t.Fatalf("ListObjectVersions: %d %s", w.Code, w.Body)
	}
	var got []string
	for _, m := range regexp.MustCompile(`<(Version|DeleteMarker)>.*?<Key>([^<]*)</Key>.*?<IsLatest>(true|false)</IsLatest>`).FindAllStringSubmatch(w.Body.String(), -1) {
		got = append(got, m[1]+":"+m[2]+":"+m[3])
	}
	want := "Version:a:true DeleteMarker:a:false Version:a:false DeleteMarker:b:true Version:b:false"
	if strings.Join(got, " ") != want {
		t.Errorf("entries %q\nwant    %q\n%s", strings.Join(got, " "), want, w.Body)
	}
	if strings.Index(w.Body.String(), "<Name>") < strings.LastIndex(w.Body.String(), "</Version>") {
		t.Errorf("entries after <Name>: %s", w.Body)
	}
}
