package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// canonItem renders an item with its sets sorted, so that two tables'
// items compare as text.
func canonItem(it map[string]types.AttributeValue) string {
	var canon func(v types.AttributeValue) any
	canon = func(v types.AttributeValue) any {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			return map[string]any{"S": v.Value}
		case *types.AttributeValueMemberN:
			return map[string]any{"N": v.Value}
		case *types.AttributeValueMemberB:
			return map[string]any{"B": v.Value}
		case *types.AttributeValueMemberBOOL:
			return map[string]any{"BOOL": v.Value}
		case *types.AttributeValueMemberNULL:
			return map[string]any{"NULL": v.Value}
		case *types.AttributeValueMemberSS:
			s := append([]string(nil), v.Value...)
			sort.Strings(s)
			return map[string]any{"SS": s}
		case *types.AttributeValueMemberNS:
			s := append([]string(nil), v.Value...)
			sort.Strings(s)
			return map[string]any{"NS": s}
		case *types.AttributeValueMemberBS:
			var s []string
			for _, b := range v.Value {
				s = append(s, base64.StdEncoding.EncodeToString(b))
			}
			sort.Strings(s)
			return map[string]any{"BS": s}
		case *types.AttributeValueMemberL:
			var l []any
			for _, e := range v.Value {
				l = append(l, canon(e))
			}
			return map[string]any{"L": l}
		case *types.AttributeValueMemberM:
			m := map[string]any{}
			for k, e := range v.Value {
				m[k] = canon(e)
			}
			return map[string]any{"M": m}
		}
		return nil
	}
	m := map[string]any{}
	for k, v := range it {
		m[k] = canon(v)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// tableItems is every item of a table, canonical and sorted.
func tableItems(t *testing.T, c *dynamodb.Client, table string) []string {
	t.Helper()
	var out []string
	p := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		mustOK(t, "Scan "+table, err)
		for _, it := range page.Items {
			out = append(out, canonItem(it))
		}
	}
	sort.Strings(out)
	return out
}

// waitExport polls DescribeExport until the export ends.
func waitExport(t *testing.T, c *dynamodb.Client, arn string) *types.ExportDescription {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		d, err := c.DescribeExport(context.Background(), &dynamodb.DescribeExportInput{ExportArn: aws.String(arn)})
		mustOK(t, "DescribeExport", err)
		if d.ExportDescription.ExportStatus != types.ExportStatusInProgress {
			return d.ExportDescription
		}
		if time.Now().After(deadline) {
			t.Fatalf("export %s still IN_PROGRESS", arn)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitImport polls DescribeImport until the import ends.
func waitImport(t *testing.T, c *dynamodb.Client, arn string) *types.ImportTableDescription {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		d, err := c.DescribeImport(context.Background(), &dynamodb.DescribeImportInput{ImportArn: aws.String(arn)})
		mustOK(t, "DescribeImport", err)
		if d.ImportTableDescription.ImportStatus != types.ImportStatusInProgress {
			return d.ImportTableDescription
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %s still IN_PROGRESS", arn)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func getObject(t *testing.T, c *s3.Client, bucket, key string) []byte {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	mustOK(t, "GetObject "+key, err)
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	mustOK(t, "read "+key, err)
	return b
}

func md5b64(b []byte) string {
	sum := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// TestDynamoDBExportImportRoundTrip exports a table to S3, checks the
// objects are laid out as DynamoDB writes them, and imports them into a
// new table with a GSI, which then holds the same items.
func TestDynamoDBExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	s3c := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("exports")})
	mustOK(t, "CreateBucket", err)
	createIndexedTable(t, c, "src")
	for i := range 12 {
		putRow(t, c, "src", i, fmt.Sprintf("v%d", i))
	}
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("src"), Item: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "all types"}, "sk": &types.AttributeValueMemberN{Value: "1"},
		"g":  &types.AttributeValueMemberS{Value: "other"},
		"b":  &types.AttributeValueMemberB{Value: []byte{0, 1, 0xfe, 0xff}},
		"ss": &types.AttributeValueMemberSS{Value: []string{"x", "a"}},
		"ns": &types.AttributeValueMemberNS{Value: []string{"1.5", "-2"}},
		"bs": &types.AttributeValueMemberBS{Value: [][]byte{{1}, {0}}},
		"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"n": &types.AttributeValueMemberNULL{Value: true}, "t": &types.AttributeValueMemberBOOL{Value: true}}},
		"lst": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberN{Value: "1E-130"}}},
		"esc": &types.AttributeValueMemberS{Value: "quote\" nl\n 日本"},
	}})
	mustOK(t, "PutItem", err)
	tableARN := "arn:aws:dynamodb:us-east-1:000000000000:table/src"

	export := func(in *dynamodb.ExportTableToPointInTimeInput) (*types.ExportDescription, error) {
		out, err := c.ExportTableToPointInTime(ctx, in)
		if err != nil {
			return nil, err
		}
		return out.ExportDescription, nil
	}
	_, err = export(&dynamodb.ExportTableToPointInTimeInput{TableArn: aws.String(tableARN), S3Bucket: aws.String("exports")})
	wantDDBErrorContains(t, "export without recovery", err, "PointInTimeRecoveryUnavailableException", "src")
	_, err = c.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String("src"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}})
	mustOK(t, "UpdateContinuousBackups", err)

	in := &dynamodb.ExportTableToPointInTimeInput{TableArn: aws.String(tableARN), S3Bucket: aws.String("exports"),
		S3Prefix: aws.String("runs/one"), ClientToken: aws.String("token-1")}
	d, err := export(in)
	mustOK(t, "ExportTableToPointInTime", err)
	if d.ExportFormat != types.ExportFormatDynamodbJson || aws.ToString(d.ClientToken) != "token-1" || d.ExportType != "" ||
		!strings.HasPrefix(aws.ToString(d.ExportArn), tableARN+"/export/") {
		t.Errorf("ExportDescription = %+v", d)
	}
	again, err := export(in)
	mustOK(t, "ExportTableToPointInTime again", err)
	if aws.ToString(again.ExportArn) != aws.ToString(d.ExportArn) {
		t.Errorf("the same ClientToken made another export: %s", aws.ToString(again.ExportArn))
	}
	changed := *in
	changed.S3Prefix = aws.String("runs/two")
	_, err = export(&changed)
	wantDDBErrorContains(t, "reused token", err, "ExportConflictException", "Duplicate request detected")

	done := waitExport(t, c, aws.ToString(d.ExportArn))
	if done.ExportStatus != types.ExportStatusCompleted || aws.ToInt64(done.ItemCount) != 13 ||
		aws.ToInt64(done.BilledSizeBytes) <= 0 || done.EndTime == nil {
		t.Fatalf("finished export = %+v", done)
	}
	exportID := aws.ToString(d.ExportArn)[strings.LastIndexByte(aws.ToString(d.ExportArn), '/')+1:]
	dir := "runs/one/AWSDynamoDB/" + exportID + "/"
	if got := aws.ToString(done.ExportManifest); got != dir+"manifest-summary.json" {
		t.Errorf("ExportManifest = %s", got)
	}
	listed, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("exports"), Prefix: aws.String(dir)})
	mustOK(t, "ListObjectsV2", err)
	names := map[string]bool{}
	for _, o := range listed.Contents {
		k := strings.TrimPrefix(aws.ToString(o.Key), dir)
		if strings.HasPrefix(k, "data/") {
			k = "data/"
		}
		names[k] = true
	}
	for _, want := range []string{"_started", "data/", "manifest-files.json", "manifest-files.md5", "manifest-summary.json", "manifest-summary.md5"} {
		if !names[want] {
			t.Errorf("no %s in %v", want, names)
		}
	}
	for _, m := range []string{"manifest-files", "manifest-summary"} {
		body := getObject(t, s3c, "exports", dir+m+".json")
		if sum := string(getObject(t, s3c, "exports", dir+m+".md5")); sum != md5b64(body) {
			t.Errorf("%s.md5 = %s, want %s", m, sum, md5b64(body))
		}
	}
	var summary map[string]any
	mustOK(t, "manifest-summary.json", json.Unmarshal(getObject(t, s3c, "exports", dir+"manifest-summary.json"), &summary))
	if summary["exportArn"] != aws.ToString(d.ExportArn) || summary["itemCount"] != 13.0 || summary["outputFormat"] != "DYNAMODB_JSON" ||
		summary["manifestFilesS3Key"] != dir+"manifest-files.json" || summary["s3Prefix"] != "runs/one" || summary["tableArn"] != tableARN {
		t.Errorf("manifest-summary.json = %v", summary)
	}
	lines := 0
	for _, l := range strings.Split(strings.TrimSpace(string(getObject(t, s3c, "exports", dir+"manifest-files.json"))), "\n") {
		var f struct {
			ItemCount     int
			MD5Checksum   string
			ETag          string
			DataFileS3Key string
		}
		mustOK(t, "manifest-files.json line", json.Unmarshal([]byte(l), &f))
		body := getObject(t, s3c, "exports", f.DataFileS3Key)
		if md5b64(body) != f.MD5Checksum || f.ETag == "" {
			t.Errorf("data file %s: md5 %s, manifest says %s", f.DataFileS3Key, md5b64(body), f.MD5Checksum)
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		mustOK(t, "gunzip", err)
		raw, err := io.ReadAll(zr)
		mustOK(t, "gunzip", err)
		n := 0
		for _, item := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			if !strings.HasPrefix(item, `{"Item":{`) {
				t.Errorf("data line %q", item)
			}
			n++
		}
		if n != f.ItemCount {
			t.Errorf("%s holds %d items, manifest says %d", f.DataFileS3Key, n, f.ItemCount)
		}
		lines += n
	}
	if lines != 13 {
		t.Errorf("data files hold %d items, want 13", lines)
	}

	// The data files, imported into a new table with a GSI.
	imp, err := c.ImportTable(ctx, &dynamodb.ImportTableInput{
		S3BucketSource:       &types.S3BucketSource{S3Bucket: aws.String("exports"), S3KeyPrefix: aws.String(dir + "data/")},
		InputFormat:          types.InputFormatDynamodbJson,
		InputCompressionType: types.InputCompressionTypeGzip,
		TableCreationParameters: &types.TableCreationParameters{
			TableName: aws.String("copy"), BillingMode: types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{
				{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
				{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN},
				{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS}},
			KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{IndexName: aws.String("byG"),
				KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash}},
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}},
		},
	})
	mustOK(t, "ImportTable", err)
	first := imp.ImportTableDescription
	if first.ImportStatus != types.ImportStatusInProgress || first.EndTime != nil || first.ImportedItemCount != 0 ||
		!strings.HasPrefix(aws.ToString(first.ImportArn), "arn:aws:dynamodb:us-east-1:000000000000:table/copy/import/") {
		t.Errorf("ImportTableDescription = %+v", first)
	}
	fin := waitImport(t, c, aws.ToString(first.ImportArn))
	if fin.ImportStatus != types.ImportStatusCompleted || fin.ImportedItemCount != 13 ||
		fin.ProcessedItemCount != 13 || fin.ErrorCount != 0 || aws.ToInt64(fin.ProcessedSizeBytes) <= 0 {
		t.Fatalf("finished import = %+v", fin)
	}
	want, got := tableItems(t, c, "src"), tableItems(t, c, "copy")
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("imported items differ:\n got %v\nwant %v", got, want)
	}
	q, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("copy"), IndexName: aws.String("byG"),
		KeyConditionExpression:    aws.String("g = :g"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": &types.AttributeValueMemberS{Value: "g"}}})
	mustOK(t, "Query byG", err)
	if len(q.Items) != 12 {
		t.Errorf("the imported GSI holds %d items, want 12", len(q.Items))
	}
	dt, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("copy")})
	mustOK(t, "DescribeTable copy", err)
	if aws.ToString(dt.Table.TableId) != aws.ToString(first.TableId) {
		t.Errorf("TableId %s, the import said %s", aws.ToString(dt.Table.TableId), aws.ToString(first.TableId))
	}
	li, err := c.ListImports(ctx, &dynamodb.ListImportsInput{TableArn: first.TableArn})
	mustOK(t, "ListImports", err)
	if len(li.ImportSummaryList) != 1 || aws.ToString(li.ImportSummaryList[0].ImportArn) != aws.ToString(first.ImportArn) {
		t.Errorf("ListImports = %+v", li.ImportSummaryList)
	}
	le, err := c.ListExports(ctx, &dynamodb.ListExportsInput{TableArn: aws.String(tableARN)})
	mustOK(t, "ListExports", err)
	if len(le.ExportSummaries) != 1 || le.ExportSummaries[0].ExportType != types.ExportTypeFullExport ||
		le.ExportSummaries[0].ExportStatus != types.ExportStatusCompleted {
		t.Errorf("ListExports = %+v", le.ExportSummaries)
	}
}

// TestDynamoDBExportErrors checks what ExportTableToPointInTime and
// DescribeExport refuse, and an export to a bucket that does not exist.
func TestDynamoDBExportErrors(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createIndexedTable(t, c, "tbl")
	_, err := c.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String("tbl"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}})
	mustOK(t, "UpdateContinuousBackups", err)
	arn := "arn:aws:dynamodb:us-east-1:000000000000:table/tbl"
	export := func(in *dynamodb.ExportTableToPointInTimeInput) error {
		_, err := c.ExportTableToPointInTime(ctx, in)
		return err
	}
	err = export(&dynamodb.ExportTableToPointInTimeInput{TableArn: aws.String(arn + "x"), S3Bucket: aws.String("b1")})
	wantDDBError(t, "missing table", err, "TableNotFoundException", "Table not found: tblx")
	err = export(&dynamodb.ExportTableToPointInTimeInput{TableArn: aws.String("QWERTY"), S3Bucket: aws.String("b1")})
	wantDDBErrorContains(t, "bad table ARN", err, "ValidationException", "TableArn")
	err = export(&dynamodb.ExportTableToPointInTimeInput{TableArn: aws.String(arn), S3Bucket: aws.String("b1"), S3Prefix: aws.String("")})
	wantDDBErrorContains(t, "empty prefix", err, "ValidationException", "s3Prefix")
	err = export(&dynamodb.ExportTableToPointInTimeInput{TableArn: aws.String(arn), S3Bucket: aws.String("b1"), ExportTime: aws.Time(time.Unix(0, 0))})
	wantDDBErrorContains(t, "export time before recovery", err, "InvalidExportTimeException", "ExportTime")
	err = export(&dynamodb.ExportTableToPointInTimeInput{TableArn: aws.String(arn), S3Bucket: aws.String("b1"), ExportFormat: types.ExportFormatIon})
	wantDDBErrorContains(t, "ION", err, "ValidationException", "ION")
	from := time.Now().Add(-time.Hour)
	err = export(&dynamodb.ExportTableToPointInTimeInput{TableArn: aws.String(arn), S3Bucket: aws.String("b1"), ExportType: types.ExportTypeIncrementalExport,
		IncrementalExportSpecification: &types.IncrementalExportSpecification{ExportFromTime: aws.Time(from), ExportToTime: aws.Time(from.Add(time.Minute))}})
	wantDDBErrorContains(t, "short incremental period", err, "InvalidExportTimeException", "Difference between export period")

	out, err := c.ExportTableToPointInTime(ctx, &dynamodb.ExportTableToPointInTimeInput{TableArn: aws.String(arn), S3Bucket: aws.String("no-such-bucket"),
		ExportType: types.ExportTypeFullExport})
	mustOK(t, "export to a missing bucket", err)
	if out.ExportDescription.ExportType != types.ExportTypeFullExport || aws.ToString(out.ExportDescription.ClientToken) == "" {
		t.Errorf("ExportDescription = %+v", out.ExportDescription)
	}
	failed := waitExport(t, c, aws.ToString(out.ExportDescription.ExportArn))
	if failed.ExportStatus != types.ExportStatusFailed || aws.ToString(failed.FailureCode) != "S3NoSuchBucket" ||
		!strings.Contains(aws.ToString(failed.FailureMessage), "bucket does not exist") {
		t.Errorf("export to a missing bucket = %+v", failed)
	}
	_, err = c.DescribeExport(ctx, &dynamodb.DescribeExportInput{ExportArn: aws.String(arn + "/notanexport")})
	wantDDBErrorContains(t, "DescribeExport of a table ARN", err, "ValidationException", "Invalid Export ARN")
	_, err = c.DescribeExport(ctx, &dynamodb.DescribeExportInput{ExportArn: aws.String(arn + "/export/01234567890123-abcdef01")})
	wantDDBErrorContains(t, "DescribeExport of no export", err, "ExportNotFoundException", "Export not found")
	_, err = c.DescribeExport(ctx, &dynamodb.DescribeExportInput{ExportArn: aws.String("arn:aws:dynamodb:eu-west-1:000000000000:table/tbl/export/01234567890123-abcdef01")})
	wantDDBErrorContains(t, "DescribeExport in another Region", err, "AccessDeniedException", "not authorized")
	_, err = c.ListExports(ctx, &dynamodb.ListExportsInput{NextToken: aws.String(strings.Repeat("0123456789abcdef", 16))})
	wantDDBErrorContains(t, "ListExports with a bad token", err, "ValidationException", "ListExports")
}

// TestDynamoDBImportFormats imports CSV and DYNAMODB_JSON with invalid
// items, from a missing bucket, and into a table that exists.
func TestDynamoDBImportFormats(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	s3c := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("src")})
	mustOK(t, "CreateBucket", err)
	put := func(key, body string) {
		_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String(key), Body: strings.NewReader(body)})
		mustOK(t, "PutObject "+key, err)
	}
	params := func(name string) *types.TableCreationParameters {
		return &types.TableCreationParameters{TableName: aws.String(name), BillingMode: types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("p"), AttributeType: types.ScalarAttributeTypeS},
				{AttributeName: aws.String("c"), AttributeType: types.ScalarAttributeTypeN}},
			KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("p"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("c"), KeyType: types.KeyTypeRange}}}
	}
	run := func(in *dynamodb.ImportTableInput) *types.ImportTableDescription {
		t.Helper()
		out, err := c.ImportTable(ctx, in)
		mustOK(t, "ImportTable", err)
		return waitImport(t, c, aws.ToString(out.ImportTableDescription.ImportArn))
	}

	put("csv/a.csv", "c;p;note\n1;x;hello\n2;x;\n")
	put("csv/b.csv", "3;y;world\n")
	d := run(&dynamodb.ImportTableInput{S3BucketSource: &types.S3BucketSource{S3Bucket: aws.String("src"), S3KeyPrefix: aws.String("csv/b")},
		InputFormat: types.InputFormatCsv, InputFormatOptions: &types.InputFormatOptions{Csv: &types.CsvOptions{Delimiter: aws.String(";"),
			HeaderList: []string{"c", "p", "note"}}}, TableCreationParameters: params("fromcsv")})
	if d.ImportStatus != types.ImportStatusCompleted || d.ImportedItemCount != 1 || d.InputCompressionType != types.InputCompressionTypeNone {
		t.Errorf("CSV import with a header list = %+v", d)
	}
	d = run(&dynamodb.ImportTableInput{S3BucketSource: &types.S3BucketSource{S3Bucket: aws.String("src"), S3KeyPrefix: aws.String("csv/a")},
		InputFormat: types.InputFormatCsv, InputFormatOptions: &types.InputFormatOptions{Csv: &types.CsvOptions{Delimiter: aws.String(";")}},
		TableCreationParameters: params("fromcsv2")})
	if d.ImportStatus != types.ImportStatusCompleted || d.ImportedItemCount != 2 {
		t.Errorf("CSV import = %+v", d)
	}
	if got := strings.Join(tableItems(t, c, "fromcsv2"), " "); got != `{"c":{"N":"1"},"note":{"S":"hello"},"p":{"S":"x"}} {"c":{"N":"2"},"p":{"S":"x"}}` {
		t.Errorf("CSV items = %s", got)
	}

	put("bad/1.json", `{"Item":{"p":{"S":"good"},"c":{"N":"1"}}}`+"\n\n   \n"+`{"Item":{"p":{"S":"good"},"c":{"N":"2"}}}`+"\n")
	put("bad/2.json", `{"NotAnItem":{}}`+"\n"+`{"Item":{"p":{"S":"never read"},"c":{"N":"3"}}}`+"\n")
	put("bad/3.json", `{"Item":{"p":{"S":"ok"},"c":{"N":"9"}}}`+"\n"+`{"Item":{"p":{"S":"x"},"c":{"S":"1"}}}`+"\n")
	put("bad/4.json", `{"Item": `)
	put("bad/5.json", "")
	d = run(&dynamodb.ImportTableInput{S3BucketSource: &types.S3BucketSource{S3Bucket: aws.String("src"), S3KeyPrefix: aws.String("bad/")},
		InputFormat: types.InputFormatDynamodbJson, TableCreationParameters: params("partial")})
	if d.ImportStatus != types.ImportStatusFailed || aws.ToString(d.FailureCode) != "ItemValidationError" ||
		aws.ToString(d.FailureMessage) != "Some of the items failed validation checks and were not imported. Please check CloudWatch error logs for more details." ||
		d.ImportedItemCount != 3 || d.ErrorCount != 3 || d.ProcessedItemCount != 6 {
		t.Errorf("import with invalid items = %+v", d)
	}
	if got := aws.ToString(d.CloudWatchLogGroupArn); got != "arn:aws:logs:us-east-1:000000000000:log-group:/aws-dynamodb/imports:*" {
		t.Errorf("CloudWatchLogGroupArn = %q", got)
	}
	if n := len(tableItems(t, c, "partial")); n != 3 {
		t.Errorf("the partial import's table holds %d items, want 3", n)
	}
	// Each invalid item is an event of the import's error stream, which
	// names its object and its index there.
	arn := aws.ToString(d.ImportArn)
	if !regexp.MustCompile(`/import/\d{14}-[0-9a-f]{8}$`).MatchString(arn) {
		t.Errorf("ImportArn %s does not end in DynamoDB's import id", arn)
	}
	events := importErrorEvents(t, env, arn[strings.LastIndex(arn, "/")+1:]+"/error")
	want := []string{"bad/2.json 0 Expected 'Item' top level container", "bad/3.json 1 One or more parameter values were invalid: Type mismatch",
		"bad/4.json 0 Unexpected token"}
	if len(events) != len(want) {
		t.Fatalf("error events = %+v, want %d", events, len(want))
	}
	for i, ev := range events {
		got := fmt.Sprintf("%s %d %s", ev.ItemS3Pointer.Key, ev.ItemS3Pointer.ItemIndex, strings.Join(ev.ErrorMessages, ";"))
		if !strings.HasPrefix(got, want[i]) || ev.ItemS3Pointer.Bucket != "src" || ev.ImportArn != arn {
			t.Errorf("error event %d = %+v, want %q", i, ev, want[i])
		}
	}

	// CSV in GZIP, with a record that lacks the key.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("p,c,note\nx,1,a\n,2,b\ny,3,c\n"))
	zw.Close()
	put("gz/a.csv.gz", gz.String())
	d = run(&dynamodb.ImportTableInput{S3BucketSource: &types.S3BucketSource{S3Bucket: aws.String("src"), S3KeyPrefix: aws.String("gz/")},
		InputFormat: types.InputFormatCsv, InputCompressionType: types.InputCompressionTypeGzip, TableCreationParameters: params("fromgz")})
	if d.ImportStatus != types.ImportStatusFailed || d.ImportedItemCount != 1 || d.ErrorCount != 1 || d.ProcessedItemCount != 2 {
		t.Errorf("gzipped CSV import with a record without its key = %+v", d)
	}
	arn = aws.ToString(d.ImportArn)
	if ev := importErrorEvents(t, env, arn[strings.LastIndex(arn, "/")+1:]+"/error"); len(ev) != 1 || ev[0].ItemS3Pointer.ItemIndex != 1 ||
		len(ev[0].ErrorMessages) != 1 || ev[0].ErrorMessages[0] != "One or more parameter values were invalid: Missing the key p in the item" {
		t.Errorf("gzipped CSV's error events = %+v", ev)
	}

	d = run(&dynamodb.ImportTableInput{S3BucketSource: &types.S3BucketSource{S3Bucket: aws.String("nobucket")},
		InputFormat: types.InputFormatDynamodbJson, TableCreationParameters: params("nowhere")})
	if d.ImportStatus != types.ImportStatusFailed || aws.ToString(d.FailureCode) != "S3NoSuchBucket" {
		t.Errorf("import from a missing bucket = %+v", d)
	}
	_, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("nowhere")})
	wantDDBErrorContains(t, "the failed import's table", err, "ResourceNotFoundException", "nowhere")

	d = run(&dynamodb.ImportTableInput{S3BucketSource: &types.S3BucketSource{S3Bucket: aws.String("src"), S3KeyPrefix: aws.String("nothing/")},
		InputFormat: types.InputFormatDynamodbJson, TableCreationParameters: params("empty")})
	if d.ImportStatus != types.ImportStatusCompleted || d.ProcessedSizeBytes != nil {
		t.Errorf("import of no objects = %+v", d)
	}

	_, err = c.ImportTable(ctx, &dynamodb.ImportTableInput{S3BucketSource: &types.S3BucketSource{S3Bucket: aws.String("src")},
		InputFormat: types.InputFormatDynamodbJson, TableCreationParameters: params("empty")})
	wantDDBError(t, "import into an existing table", err, "ResourceInUseException", "Table already exists: empty")
	_, err = c.ImportTable(ctx, &dynamodb.ImportTableInput{S3BucketSource: &types.S3BucketSource{S3Bucket: aws.String("src")},
		InputFormat: types.InputFormatDynamodbJson, TableCreationParameters: params("opts"),
		InputFormatOptions: &types.InputFormatOptions{Csv: &types.CsvOptions{Delimiter: aws.String(",")}}})
	wantDDBErrorContains(t, "CSV options for JSON", err, "ValidationException", "InputFormatOptions")
	// ImportTable checks its TableCreationParameters as CreateTable checks
	// a table, its indexes included.
	badGSI := params("badgsi")
	badGSI.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: aws.String("byX"),
		KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("x"), KeyType: types.KeyTypeHash}},
		Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
	_, createErr := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: badGSI.TableName, BillingMode: badGSI.BillingMode,
		AttributeDefinitions: badGSI.AttributeDefinitions, KeySchema: badGSI.KeySchema, GlobalSecondaryIndexes: badGSI.GlobalSecondaryIndexes})
	_, err = c.ImportTable(ctx, &dynamodb.ImportTableInput{S3BucketSource: &types.S3BucketSource{S3Bucket: aws.String("src")},
		InputFormat: types.InputFormatDynamodbJson, TableCreationParameters: badGSI})
	var refused smithy.APIError
	if !errors.As(createErr, &refused) {
		t.Fatalf("CreateTable with an undefined index key: %v", createErr)
	}
	wantDDBError(t, "ImportTable with an undefined index key", err, refused.ErrorCode(), refused.ErrorMessage())

	_, err = c.DescribeImport(ctx, &dynamodb.DescribeImportInput{ImportArn: aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/empty/import/01658528578619-c4d4e311")})
	wantDDBErrorContains(t, "DescribeImport of no import", err, "ImportNotFoundException", "Import not found")
	_, err = c.DescribeImport(ctx, &dynamodb.DescribeImportInput{ImportArn: aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/x/import/01658528578619-c4d4e311")})
	wantDDBErrorContains(t, "DescribeImport of a malformed ARN", err, "ValidationException", "Invalid Import ARN")
	pg, err := c.ListImports(ctx, &dynamodb.ListImportsInput{PageSize: aws.Int32(1)})
	mustOK(t, "ListImports", err)
	if len(pg.ImportSummaryList) != 1 || pg.NextToken == nil {
		t.Errorf("ListImports page = %+v", pg)
	}
}

// importErrorEvent is an event of an import's error log stream.
type importErrorEvent struct {
	ItemS3Pointer struct {
		Bucket, Key string
		ItemIndex   int64
	} `json:"itemS3Pointer"`
	ImportArn     string   `json:"importArn"`
	ErrorMessages []string `json:"errorMessages"`
}

// importErrorEvents reads an import's error stream in
// /aws-dynamodb/imports.
func importErrorEvents(t *testing.T, env *Env, stream string) []importErrorEvent {
	t.Helper()
	out, err := cloudwatchlogs.NewFromConfig(env.Config).GetLogEvents(context.Background(), &cloudwatchlogs.GetLogEventsInput{
		LogGroupName: aws.String("/aws-dynamodb/imports"), LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true)})
	mustOK(t, "GetLogEvents "+stream, err)
	var events []importErrorEvent
	for _, e := range out.Events {
		var ev importErrorEvent
		if err := json.Unmarshal([]byte(aws.ToString(e.Message)), &ev); err != nil {
			t.Fatalf("error event %q: %v", aws.ToString(e.Message), err)
		}
		events = append(events, ev)
	}
	return events
}

// TestDynamoDBExportImportCLI exports and imports a table with Debian's
// aws CLI (botocore), whose ExportTime and ClientToken travel as it
// sends them.
func TestDynamoDBExportImportCLI(t *testing.T) {
	t.Parallel()
	RequireTool(t, AWSCLI)
	env := Start(t)
	run := func(v any, args ...string) {
		t.Helper()
		res := env.CLI(t, args...)
		if res.ExitCode != 0 {
			t.Fatalf("aws %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args[:2], " "), res.ExitCode, res.Stdout, res.Stderr)
		}
		if v != nil {
			if err := json.Unmarshal([]byte(res.Stdout), v); err != nil {
				t.Fatalf("aws %s printed no JSON (%v):\n%s", args[1], err, res.Stdout)
			}
		}
	}
	run(nil, "s3api", "create-bucket", "--bucket", "cli-exports")
	run(nil, "dynamodb", "create-table", "--table-name", "clisrc",
		"--attribute-definitions", "AttributeName=pk,AttributeType=S", "--key-schema", "AttributeName=pk,KeyType=HASH",
		"--billing-mode", "PAY_PER_REQUEST")
	run(nil, "dynamodb", "put-item", "--table-name", "clisrc", "--item", `{"pk":{"S":"a"},"n":{"N":"1.5"},"ss":{"SS":["x","y"]}}`)
	run(nil, "dynamodb", "update-continuous-backups", "--table-name", "clisrc",
		"--point-in-time-recovery-specification", "PointInTimeRecoveryEnabled=true")
	var exp struct {
		ExportDescription struct{ ExportArn, ExportStatus, ClientToken string }
	}
	run(&exp, "dynamodb", "export-table-to-point-in-time", "--table-arn", "arn:aws:dynamodb:us-east-1:000000000000:table/clisrc",
		"--s3-bucket", "cli-exports", "--s3-prefix", "p")
	if exp.ExportDescription.ClientToken == "" || exp.ExportDescription.ExportStatus == "" {
		t.Errorf("export-table-to-point-in-time: %+v", exp.ExportDescription)
	}
	done := waitExport(t, ddbClient(env), exp.ExportDescription.ExportArn)
	if done.ExportStatus != types.ExportStatusCompleted || aws.ToInt64(done.ItemCount) != 1 {
		t.Fatalf("export: %+v", done)
	}
	id := exp.ExportDescription.ExportArn[strings.LastIndexByte(exp.ExportDescription.ExportArn, '/')+1:]
	var imp struct{ ImportTableDescription struct{ ImportArn string } }
	run(&imp, "dynamodb", "import-table", "--input-format", "DYNAMODB_JSON", "--input-compression-type", "GZIP",
		"--s3-bucket-source", "S3Bucket=cli-exports,S3KeyPrefix=p/AWSDynamoDB/"+id+"/data/",
		"--table-creation-parameters", `{"TableName":"clicopy","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`)
	c := ddbClient(env)
	if d := waitImport(t, c, imp.ImportTableDescription.ImportArn); d.ImportStatus != types.ImportStatusCompleted || d.ImportedItemCount != 1 {
		t.Fatalf("import: %+v", d)
	}
	if got, want := tableItems(t, c, "clicopy"), tableItems(t, c, "clisrc"); strings.Join(got, "") != strings.Join(want, "") {
		t.Errorf("imported %v, want %v", got, want)
	}
}
