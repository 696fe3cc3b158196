package e2e_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/virga/virga/internal/e2e"
)

func cliOK(t *testing.T, res e2e.CLIResult, what string) string {
	t.Helper()
	if res.ExitCode != 0 {
		t.Fatalf("%s: aws exited %d\nstdout: %s\nstderr: %s", what, res.ExitCode, res.Stdout, res.Stderr)
	}
	return res.Stdout
}

// TestS3CLI drives the high-level aws s3 commands as a newcomer would:
// small and multipart copies both ways, ls, sync, presign and rb.
func TestS3CLI(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	dir := t.TempDir()
	small := filepath.Join(dir, "small.txt")
	os.WriteFile(small, []byte("hello from the cli\n"), 0o644)
	big := make([]byte, 20<<20)
	rand.Read(big)
	bigPath := filepath.Join(dir, "big.bin")
	os.WriteFile(bigPath, big, 0o644)

	cliOK(t, env.CLI(t, "s3", "mb", "s3://cli-bucket"), "mb")
	cliOK(t, env.CLI(t, "s3", "cp", small, "s3://cli-bucket/docs/small.txt"), "cp small")
	cliOK(t, env.CLI(t, "s3", "cp", bigPath, "s3://cli-bucket/big.bin"), "cp big")

	var head struct {
		ETag          string
		ContentLength int64
	}
	cliJSON(t, env.CLI(t, "s3api", "head-object", "--bucket", "cli-bucket", "--key", "big.bin"), &head)
	if head.ContentLength != int64(len(big)) || !strings.HasSuffix(head.ETag, `-3"`) {
		t.Errorf("big.bin: %+v, want a three-part multipart object", head)
	}
	out := filepath.Join(dir, "big.out")
	cliOK(t, env.CLI(t, "s3", "cp", "s3://cli-bucket/big.bin", out), "cp down")
	if got, _ := os.ReadFile(out); !bytes.Equal(got, big) {
		t.Errorf("downloaded %d bytes, not what was uploaded", len(got))
	}

	ls := cliOK(t, env.CLI(t, "s3", "ls", "s3://cli-bucket/"), "ls")
	if !strings.Contains(ls, "PRE docs/") || !strings.Contains(ls, "20971520 big.bin") {
		t.Errorf("ls:\n%s", ls)
	}
	if ls := cliOK(t, env.CLI(t, "s3", "ls"), "ls buckets"); !strings.Contains(ls, "cli-bucket") {
		t.Errorf("ls buckets:\n%s", ls)
	}

	tree := filepath.Join(dir, "tree")
	os.MkdirAll(filepath.Join(tree, "sub"), 0o755)
	os.WriteFile(filepath.Join(tree, "a.txt"), []byte("a"), 0o644)
	os.WriteFile(filepath.Join(tree, "sub", "b c.txt"), []byte("b"), 0o644)
	if s := cliOK(t, env.CLI(t, "s3", "sync", tree, "s3://cli-bucket/tree"), "sync"); strings.Count(s, "upload:") != 2 {
		t.Errorf("first sync:\n%s", s)
	}
	if s := cliOK(t, env.CLI(t, "s3", "sync", tree, "s3://cli-bucket/tree"), "sync again"); strings.Contains(s, "upload:") {
		t.Errorf("second sync uploaded again:\n%s", s)
	}
	if ls := cliOK(t, env.CLI(t, "s3", "ls", "--recursive", "s3://cli-bucket/tree/"), "ls -r"); !strings.Contains(ls, "tree/sub/b c.txt") {
		t.Errorf("ls --recursive:\n%s", ls)
	}

	url := strings.TrimSpace(cliOK(t, env.CLI(t, "s3", "presign", "s3://cli-bucket/docs/small.txt", "--expires-in", "300"), "presign"))
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "hello from the cli\n" {
		t.Errorf("GET presigned %s: %d %s", url, resp.StatusCode, body)
	}

	if res := env.CLI(t, "s3", "rb", "s3://cli-bucket"); res.ExitCode == 0 || !strings.Contains(res.Stderr, "BucketNotEmpty") {
		t.Errorf("rb of a full bucket: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	cliOK(t, env.CLI(t, "s3", "rb", "--force", "s3://cli-bucket"), "rb --force")
	if ls := cliOK(t, env.CLI(t, "s3", "ls"), "ls after rb"); strings.Contains(ls, "cli-bucket") {
		t.Errorf("bucket still listed:\n%s", ls)
	}
}

// TestS3PresignSigV4 checks query-string authentication with signatures
// verified: presigned GET and PUT work, a tampered or expired URL is
// refused as S3 refuses it, and so is an anonymous request.
func TestS3PresignSigV4(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, sigv4Mode, e2e.WithFakeClock())
	c := s3Client(env)
	ctx := context.Background()
	s3Bucket(t, c, "signed")
	ps := s3.NewPresignClient(c)
	put, err := ps.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("signed"), Key: aws.String("up.txt")},
		s3.WithPresignExpires(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, put.URL, strings.NewReader("presigned body"))
	for k, v := range put.SignedHeader {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("presigned PUT: %d %s", resp.StatusCode, b)
	}
	get, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("signed"), Key: aws.String("up.txt")},
		s3.WithPresignExpires(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	fetch := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := fetch(get.URL); code != 200 || body != "presigned body" {
		t.Fatalf("presigned GET: %d %s", code, body)
	}
	tampered := strings.Replace(get.URL, "up.txt", "other.txt", 1)
	if code, body := fetch(tampered); code != 403 || !strings.Contains(body, "<Code>SignatureDoesNotMatch</Code>") {
		t.Errorf("tampered URL: %d %s", code, body)
	}
	if code, body := fetch(env.Endpoint + "/signed/up.txt"); code != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") {
		t.Errorf("anonymous GET with --auth sigv4: %d %s", code, body)
	}
	env.Clock.Advance(11 * time.Minute)
	if code, body := fetch(get.URL); code != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") ||
		!strings.Contains(body, "Request has expired") {
		t.Errorf("expired URL: %d %s", code, body)
	}
	// X-Amz-Expires is at most seven days.
	long := strings.Replace(get.URL, "X-Amz-Expires=600", "X-Amz-Expires=604801", 1)
	if code, body := fetch(long); code != 400 && code != 403 || !strings.Contains(body, "604800") {
		t.Errorf("X-Amz-Expires over a week: %d %s", code, body)
	}
}

const boto3S3Script = `
import hashlib, json, os, boto3
from boto3.s3.transfer import TransferConfig
s3 = boto3.client("s3", endpoint_url=os.environ["VIRGA_ENDPOINT"], region_name="us-east-1",
                  aws_access_key_id="test", aws_secret_access_key="test")
s3.create_bucket(Bucket="boto")
s3.put_object(Bucket="boto", Key="k/one.txt", Body=b"one", Metadata={"a": "b"})
got = s3.get_object(Bucket="boto", Key="k/one.txt")
path = os.path.join(os.environ["HOME"], "big.bin")
with open(path, "wb") as f:
    f.write(os.urandom(9 * 1024 * 1024))
s3.upload_file(path, "boto", "big.bin", Config=TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024))
s3.download_file("boto", "big.bin", path + ".out")
same = open(path, "rb").read() == open(path + ".out", "rb").read()
lst = s3.list_objects_v2(Bucket="boto", Delimiter="/")
try:
    s3.head_object(Bucket="boto", Key="missing")
    missing = ""
except s3.exceptions.ClientError as e:
    missing = e.response["Error"]["Code"]
print(json.dumps({
    "body": got["Body"].read().decode(), "meta": got["Metadata"], "same": same,
    "etag": s3.head_object(Bucket="boto", Key="big.bin")["ETag"],
    "keys": [o["Key"] for o in lst.get("Contents", [])], "prefixes": [p["Prefix"] for p in lst.get("CommonPrefixes", [])],
    "missing": missing,
}))
`

// TestS3Boto3 runs Debian's boto3, whose transfer manager uploads in
// parts, against S3.
func TestS3Boto3(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	out := env.Boto3(t, boto3S3Script)
	var got struct {
		Body     string
		Meta     map[string]string
		Same     bool
		ETag     string
		Keys     []string
		Prefixes []string
		Missing  string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Body != "one" || got.Meta["a"] != "b" || !got.Same || !strings.HasSuffix(got.ETag, `-2"`) ||
		len(got.Keys) != 1 || got.Keys[0] != "big.bin" || len(got.Prefixes) != 1 || got.Prefixes[0] != "k/" || got.Missing != "404" {
		t.Errorf("boto3 saw %+v", got)
	}
}
