package ecr

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store/pebble"
)

func newTestService(t testing.TB) *Service {
	t.Helper()
	db, err := pebble.Open(pebble.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(Deps{Store: db, Clock: clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), IDs: ids.New(nil),
		Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestImagesModel runs random pushes, tag moves and deletions against a
// reference model of tags and images (a tag names one image; an image
// pushed by digest stays untagged; deleting an image's last tag deletes
// it) and compares ListImages with the model after each step.
func TestImagesModel(t *testing.T) {
	t.Parallel()
	s := newTestService(t)
	ctx := context.Background()
	if _, err := s.createRepository(ctx, &CreateRepositoryRequest{RepositoryName: ptr("mm")}); err != nil {
		t.Fatal(err)
	}
	// Manifests name one config blob, which the repository holds.
	cfg := []byte("{}")
	u, _ := s.startUpload("mm")
	if _, err := s.appendUpload(u, bytes.NewReader(cfg)); err != nil {
		t.Fatal(err)
	}
	if err := s.finishUpload(u, digestOf(cfg)); err != nil {
		t.Fatal(err)
	}
	manifest := func(i int) []byte {
		return []byte(fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,"digest":"%s"},"layers":[],"annotations":{"n":"%d"}}`, digestOf(cfg), i))
	}
	tags := map[string]string{} // tag → digest
	images := map[string]bool{} // digest
	r := rand.New(rand.NewPCG(1, 2))
	for step := range 400 {
		m := manifest(r.IntN(6))
		d := digestOf(m)
		tag := fmt.Sprintf("t%d", r.IntN(5))
		var what string
		switch r.IntN(4) {
		case 0, 1:
			what = "push " + tag
			if _, err := s.pushManifest("mm", m, "", tag, ""); err != nil {
				t.Fatalf("step %d %s: %v", step, what, err)
			}
			tags[tag], images[d] = d, true
		case 2:
			what = "push by digest"
			if _, err := s.pushManifest("mm", m, "", "", d); err != nil {
				t.Fatalf("step %d %s: %v", step, what, err)
			}
			images[d] = true
		case 3:
			if r.IntN(2) == 0 {
				what = "delete tag " + tag
				s.batchDeleteImage(ctx, &BatchDeleteImageRequest{RepositoryName: ptr("mm"), ImageIds: []ImageIdentifier{{ImageTag: ptr(tag)}}})
				if old, ok := tags[tag]; ok {
					delete(tags, tag)
					if !slices.Contains(mapValues(tags), old) {
						delete(images, old)
					}
				}
			} else {
				what = "delete digest"
				s.batchDeleteImage(ctx, &BatchDeleteImageRequest{RepositoryName: ptr("mm"), ImageIds: []ImageIdentifier{{ImageDigest: ptr(d)}}})
				delete(images, d)
				for k, v := range tags {
					if v == d {
						delete(tags, k)
					}
				}
			}
		}
		out, err := s.listImages(ctx, &ListImagesRequest{RepositoryName: ptr("mm"), MaxResults: ptr(int32(1000))})
		if err != nil {
			t.Fatal(err)
		}
		gotTags, gotImages := map[string]string{}, map[string]bool{}
		for _, id := range out.ImageIds {
			gotImages[*id.ImageDigest] = true
			if id.ImageTag != nil {
				gotTags[*id.ImageTag] = *id.ImageDigest
			}
		}
		if fmt.Sprint(gotTags) != fmt.Sprint(tags) || fmt.Sprint(gotImages) != fmt.Sprint(images) {
			t.Fatalf("step %d (%s): tags %v images %v, model %v %v", step, what, gotTags, gotImages, tags, images)
		}
		rp, _ := s.loadRepo("mm")
		if rp.ImageCount != len(images) {
			t.Fatalf("step %d (%s): image count %d, model %d", step, what, rp.ImageCount, len(images))
		}
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
