package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/virga/virga/internal/e2e"
)

// TestECRAcknowledgedPushesSurviveKill9 runs `virga up`, pushes images
// (a blob, some of them over several store chunks, then a manifest
// under a tag) to the registry from concurrent writers, kills the
// process with SIGKILL mid-load, restarts it on the same data directory
// and pulls every acknowledged push back: each blob whose upload was
// acknowledged must come back whole, and each acknowledged manifest
// under its tag with its digest.
func TestECRAcknowledgedPushesSurviveKill9(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addr := freeAddr(t)
	p := start(t, nil, "up", "--listen", addr, "--data-dir", dir)
	waitHealthy(t, p, addr)
	c := ecr.NewFromConfig(e2e.ClientConfig("http://"+addr, "us-east-1", "test", "test", ""))
	if _, err := c.CreateRepository(context.Background(), &ecr.CreateRepositoryInput{RepositoryName: aws.String("crash/app")}); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 20 * time.Second}
	do := func(method, u string, body []byte, ct string) (*http.Response, error) {
		req, err := http.NewRequest(method, u, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp, nil
	}
	base := "http://" + addr + "/v2/crash/app"
	type push struct {
		tag, blobDigest, manifestDigest string
		blob                            []byte
		blobAcked, manifestAcked        bool
	}
	const writers = 4
	results := make([][]push, writers)
	killMidLoad(t, p, writers, 40, 20*time.Second, "push", func(w, i int, killed func() bool) bool {
		size := 48 << 10
		if i%5 == 0 {
			size = 5<<19 + 123 // two and a half store chunks
		}
		blob := bytes.Repeat([]byte(fmt.Sprintf("w%d-%06d;", w, i)), size/10)
		sum := sha256.Sum256(blob)
		ps := push{tag: fmt.Sprintf("w%d-%06d", w, i), blob: blob, blobDigest: "sha256:" + hex.EncodeToString(sum[:])}
		defer func() { results[w] = append(results[w], ps) }()
		resp, err := do("POST", base+"/blobs/uploads/?digest="+url.QueryEscape(ps.blobDigest), blob, "application/octet-stream")
		if err != nil || resp.StatusCode != 201 {
			if !killed() {
				t.Errorf("blob %s before the kill: %v %v", ps.tag, err, resp)
			}
			return false
		}
		ps.blobAcked = true
		m := []byte(fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":%d,"digest":"%s"},"layers":[]}`, len(blob), ps.blobDigest))
		msum := sha256.Sum256(m)
		ps.manifestDigest = "sha256:" + hex.EncodeToString(msum[:])
		resp, err = do("PUT", base+"/manifests/"+ps.tag, m, "application/vnd.oci.image.manifest.v1+json")
		if err != nil || resp.StatusCode != 201 {
			if !killed() {
				t.Errorf("manifest %s before the kill: %v %v", ps.tag, err, resp)
			}
			return false
		}
		ps.manifestAcked = true
		return true
	})

	addr2 := freeAddr(t)
	p2 := start(t, nil, "up", "--listen", addr2, "--data-dir", dir)
	waitHealthy(t, p2, addr2)
	base2 := "http://" + addr2 + "/v2/crash/app"
	get := func(u string) (*http.Response, []byte) {
		resp, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	var blobs, manifests int
	for _, ws := range results {
		for _, ps := range ws {
			if ps.blobAcked {
				blobs++
				if resp, b := get(base2 + "/blobs/" + ps.blobDigest); resp.StatusCode != 200 || !bytes.Equal(b, ps.blob) {
					t.Errorf("acknowledged blob %s: HTTP %d, %d bytes of %d", ps.tag, resp.StatusCode, len(b), len(ps.blob))
				}
			}
			if ps.manifestAcked {
				manifests++
				if resp, _ := get(base2 + "/manifests/" + ps.tag); resp.StatusCode != 200 || resp.Header.Get("Docker-Content-Digest") != ps.manifestDigest {
					t.Errorf("acknowledged manifest %s: HTTP %d, digest %s", ps.tag, resp.StatusCode, resp.Header.Get("Docker-Content-Digest"))
				}
			}
		}
	}
	t.Logf("%d blobs and %d manifests acknowledged before the kill", blobs, manifests)
}
