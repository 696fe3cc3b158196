package dynamodb

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto/jsoncodec"
	"github.com/virga/virga/internal/dynamodb/attr"
)

// An export's objects, as DynamoDB lays them out under the bucket's
// prefix (prefix/ is absent without a prefix):
//
//	prefix/AWSDynamoDB/<export id>/_started                  empty, written first
//	prefix/AWSDynamoDB/<export id>/data/<random>.json.gz     items, one {"Item":{...}} a line
//	prefix/AWSDynamoDB/<export id>/manifest-files.json       one line per data file
//	prefix/AWSDynamoDB/<export id>/manifest-files.md5        its MD5, base64
//	prefix/AWSDynamoDB/<export id>/manifest-summary.json     the export's summary
//	prefix/AWSDynamoDB/<export id>/manifest-summary.md5      its MD5, base64
//
// ExportManifest is manifest-summary.json's key.

// exportManifestVersion is the version manifest-summary.json declares.
const exportManifestVersion = "2020-06-30"

// maxExportFileBytes is how much item JSON, uncompressed, one data file
// holds before the next one starts.
const maxExportFileBytes = 64 << 20

// exportLine is one line of a DYNAMODB_JSON data file.
type exportLine struct {
	Item map[string]AttributeValue
}

// manifestFile is one line of manifest-files.json.
type manifestFile struct {
	ItemCount     int64  `json:"itemCount"`
	MD5Checksum   string `json:"md5Checksum"`
	ETag          string `json:"etag"`
	DataFileS3Key string `json:"dataFileS3Key"`
}

// manifestSummary is manifest-summary.json.
type manifestSummary struct {
	Version            string  `json:"version"`
	ExportARN          string  `json:"exportArn"`
	StartTime          string  `json:"startTime"`
	EndTime            string  `json:"endTime"`
	TableARN           string  `json:"tableArn"`
	TableID            string  `json:"tableId"`
	ExportTime         string  `json:"exportTime"`
	S3Bucket           string  `json:"s3Bucket"`
	S3Prefix           *string `json:"s3Prefix"`
	S3SseAlgorithm     *string `json:"s3SseAlgorithm"`
	S3SseKmsKeyID      *string `json:"s3SseKmsKeyId"`
	ManifestFilesS3Key string  `json:"manifestFilesS3Key"`
	BilledSizeBytes    int64   `json:"billedSizeBytes"`
	ItemCount          int64   `json:"itemCount"`
	OutputFormat       string  `json:"outputFormat"`
	ExportType         string  `json:"exportType"`
}

// exportDir is the key prefix of an export's objects.
func exportDir(rec *exportRecord) string {
	dir := "AWSDynamoDB/" + rec.ARN[strings.LastIndexByte(rec.ARN, '/')+1:] + "/"
	if p := strings.TrimSuffix(rec.Prefix, "/"); p != "" {
		dir = p + "/" + dir
	}
	return dir
}

// manifestTime is a manifest's time: ISO 8601 in UTC, to the millisecond.
func manifestTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func md5Base64(b []byte) string {
	sum := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// writeExport writes the items items yields as the export's objects and
// records the outcome in rec, COMPLETED.
func (s *Service) writeExport(ctx context.Context, rec *exportRecord, items func(fn func(itemKey, item []byte) error) error) error {
	dir := exportDir(rec)
	put := func(key string, body []byte, contentType string) error {
		return s.buckets.PutObject(ctx, rec.Bucket, key, body, contentType)
	}
	if err := put(dir+"_started", nil, "application/octet-stream"); err != nil {
		return err
	}
	var (
		files   []manifestFile
		buf     bytes.Buffer
		zw      *gzip.Writer
		inFile  int64
		written int
	)
	flush := func() error {
		if err := zw.Close(); err != nil {
			return err
		}
		body := bytes.Clone(buf.Bytes())
		key := dir + "data/" + s.ids.Hex(13) + ".json.gz"
		if err := put(key, body, "application/x-gzip"); err != nil {
			return err
		}
		sum := md5.Sum(body)
		files = append(files, manifestFile{ItemCount: inFile, MD5Checksum: md5Base64(body),
			ETag: hex.EncodeToString(sum[:]), DataFileS3Key: key})
		buf.Reset()
		zw, inFile, written = nil, 0, 0
		return nil
	}
	var line []byte
	err := items(func(_, v []byte) error {
		item, err := decodeItem(v)
		if err != nil {
			return err
		}
		if zw == nil {
			zw = gzip.NewWriter(&buf)
		}
		line = jsoncodec.Marshal(line[:0], exportLine{Item: itemToWire(item)})
		line = append(line, '\n')
		if _, err := zw.Write(line); err != nil {
			return err
		}
		inFile++
		rec.ItemCount++
		rec.BilledBytes += int64(attr.ItemSize(item))
		if written += len(line); written >= maxExportFileBytes {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	// An empty table still has a data file, with no items.
	if zw != nil || len(files) == 0 {
		if zw == nil {
			zw = gzip.NewWriter(&buf)
		}
		if err := flush(); err != nil {
			return err
		}
	}
	var mf []byte
	for _, f := range files {
		b, _ := json.Marshal(f)
		mf = append(append(mf, b...), '\n')
	}
	if err := put(dir+"manifest-files.json", mf, "application/json"); err != nil {
		return err
	}
	if err := put(dir+"manifest-files.md5", []byte(md5Base64(mf)), "text/plain"); err != nil {
		return err
	}
	end := s.clock.Now().UTC()
	if !end.After(rec.Start) {
		end = rec.Start.Add(time.Millisecond)
	}
	sum := manifestSummary{
		Version: exportManifestVersion, ExportARN: rec.ARN, StartTime: manifestTime(rec.Start), EndTime: manifestTime(end),
		TableARN: rec.TableARN, TableID: rec.TableID, ExportTime: manifestTime(rec.ExportTime), S3Bucket: rec.Bucket,
		S3Prefix: nonEmpty(rec.Prefix), S3SseAlgorithm: nonEmpty(rec.SSEAlgorithm), S3SseKmsKeyID: nonEmpty(rec.SSEKMSKeyID),
		ManifestFilesS3Key: dir + "manifest-files.json", BilledSizeBytes: rec.BilledBytes, ItemCount: rec.ItemCount,
		OutputFormat: rec.Format, ExportType: rec.Type,
	}
	ms, _ := json.Marshal(sum)
	if err := put(dir+"manifest-summary.json", ms, "application/json"); err != nil {
		return err
	}
	if err := put(dir+"manifest-summary.md5", []byte(md5Base64(ms)), "text/plain"); err != nil {
		return err
	}
	rec.Status, rec.End, rec.Manifest = jobCompleted, end, dir+"manifest-summary.json"
	return nil
}
