package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/virga/virga/internal/e2e"
)

func s3At(addr string) *s3.Client {
	return s3.NewFromConfig(e2e.ClientConfig("http://"+addr, "us-east-1", "test", "test", ""),
		func(o *s3.Options) { o.UsePathStyle = true })
}

// s3CrashBody is the content of the i-th object of writer w: sizes vary
// from 1 KB to about 260 KB, and the bytes say whose they are.
func s3CrashBody(w, i int) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("w%d-%06d|", w, i)), 100+(i*977)%26000)
}

// TestS3AcknowledgedPutsSurviveKill9 runs `virga up`, puts objects from
// four writers, kills the process with SIGKILL mid-load, restarts it on
// the same data directory, and checks that every acknowledged object is
// there whole, that every object there is whole, and that start-up
// removed what the interrupted writes left (temporary files, and blobs no
// object refers to).
func TestS3AcknowledgedPutsSurviveKill9(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	addr := freeAddr(t)
	p := start(t, nil, "up", "--listen", addr, "--data-dir", dir)
	waitHealthy(t, p, addr)
	c := s3At(addr)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("crash")}); err != nil {
		t.Fatal(err)
	}

	const writers = 4
	acked := make([][]string, writers)
	puts := killMidLoad(t, p, writers, 150, 20*time.Second, "put", func(w, i int, killed func() bool) bool {
		key := fmt.Sprintf("w%d/%06d", w, i)
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := c.PutObject(rctx, &s3.PutObjectInput{Bucket: aws.String("crash"), Key: &key, Body: bytes.NewReader(s3CrashBody(w, i))})
		cancel()
		if err != nil {
			if !killed() {
				t.Errorf("PutObject %s before the kill: %v", key, err)
			}
			return false
		}
		acked[w] = append(acked[w], key)
		return true
	})

	addr2 := freeAddr(t)
	p2 := start(t, nil, "up", "--listen", addr2, "--data-dir", dir)
	waitHealthy(t, p2, addr2)
	c2 := s3At(addr2)
	read := func(key string) []byte {
		out, err := c2.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("crash"), Key: &key})
		if err != nil {
			t.Errorf("GetObject %s after restart: %v", key, err)
			return nil
		}
		defer out.Body.Close()
		data, err := io.ReadAll(out.Body)
		if err != nil {
			t.Errorf("reading %s after restart: %v", key, err)
		}
		return data
	}
	for w, keys := range acked {
		for _, key := range keys {
			var i int
			fmt.Sscanf(key[len(fmt.Sprintf("w%d/", w)):], "%d", &i)
			if data := read(key); !bytes.Equal(data, s3CrashBody(w, i)) {
				t.Errorf("acknowledged %s: %d bytes after kill -9, want %d", key, len(data), len(s3CrashBody(w, i)))
			}
		}
	}
	// Whatever is listed, acknowledged or not, is whole.
	objects := 0
	pg := s3.NewListObjectsV2Paginator(c2, &s3.ListObjectsV2Input{Bucket: aws.String("crash")})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			objects++
			var w, i int
			fmt.Sscanf(aws.ToString(o.Key), "w%d/%d", &w, &i)
			if data := read(aws.ToString(o.Key)); !bytes.Equal(data, s3CrashBody(w, i)) {
				t.Errorf("%s is not whole after restart: %d bytes", aws.ToString(o.Key), len(data))
			}
		}
	}
	// Start-up removed temporary files and unreferenced blobs: one blob
	// per object remains.
	tmp, _ := os.ReadDir(filepath.Join(dir, "s3", "tmp"))
	if len(tmp) != 0 {
		t.Errorf("%d temporary files left after restart", len(tmp))
	}
	blobs := 0
	filepath.WalkDir(filepath.Join(dir, "s3", "blobs"), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			blobs++
		}
		return nil
	})
	if blobs != objects {
		t.Errorf("%d blobs for %d objects after restart", blobs, objects)
	}
	t.Logf("%d acknowledged puts; %d objects after restart", puts, objects)
}
