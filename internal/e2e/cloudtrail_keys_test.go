package e2e_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/virga/virga/internal/e2e"
)

// TestCloudTrailListPublicKeys: the region's current public key, an RSA
// key in PKCS#1 DER valid for 30 days, the same until it expires; then
// a new one from the old one's end, and a time range answers both.
func TestCloudTrailListPublicKeys(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	c := cloudtrail.NewFromConfig(env.Config)
	ctx := context.Background()
	first, err := c.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.PublicKeyList) != 1 {
		t.Fatalf("PublicKeyList = %+v", first.PublicKeyList)
	}
	k := first.PublicKeyList[0]
	if _, err := x509.ParsePKCS1PublicKey(k.Value); err != nil {
		t.Errorf("Value is not a PKCS#1 public key: %v", err)
	}
	now := env.Clock.Now()
	if len(aws.ToString(k.Fingerprint)) != 32 || k.ValidityStartTime.After(now) || !k.ValidityEndTime.After(now) ||
		k.ValidityEndTime.Sub(*k.ValidityStartTime) != 30*24*time.Hour {
		t.Errorf("key = %s, %v to %v", aws.ToString(k.Fingerprint), k.ValidityStartTime, k.ValidityEndTime)
	}
	again, err := c.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{})
	if err != nil || len(again.PublicKeyList) != 1 || aws.ToString(again.PublicKeyList[0].Fingerprint) != aws.ToString(k.Fingerprint) {
		t.Fatalf("ListPublicKeys again = %+v, %v", again, err)
	}
	_, err = c.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Hour))})
	expectAPIError(t, err, "InvalidTimeRangeException", 400)

	env.Clock.Advance(31 * 24 * time.Hour)
	cur, err := c.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{})
	if err != nil || len(cur.PublicKeyList) != 1 || aws.ToString(cur.PublicKeyList[0].Fingerprint) == aws.ToString(k.Fingerprint) ||
		!cur.PublicKeyList[0].ValidityStartTime.Equal(*k.ValidityEndTime) {
		t.Fatalf("ListPublicKeys after 31 days = %+v, %v", cur, err)
	}
	both, err := c.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(now)})
	if err != nil || len(both.PublicKeyList) != 2 {
		t.Fatalf("ListPublicKeys since the first key = %+v, %v", both, err)
	}
}

// TestCloudTrailCLIListPublicKeys runs the CLI reference's
// list-public-keys example.
func TestCloudTrailCLIListPublicKeys(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	var out struct {
		PublicKeyList []struct {
			Value                              string
			Fingerprint                        string
			ValidityStartTime, ValidityEndTime string
		}
	}
	cliJSON(t, env.CLI(t, "cloudtrail", "list-public-keys", "--start-time", "2016-01-01T20:30:00.000Z"), &out)
	if len(out.PublicKeyList) != 1 || out.PublicKeyList[0].ValidityEndTime == "" || len(out.PublicKeyList[0].Fingerprint) != 32 {
		t.Fatalf("list-public-keys = %+v", out)
	}
	der, err := base64.StdEncoding.DecodeString(out.PublicKeyList[0].Value)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x509.ParsePKCS1PublicKey(der); err != nil {
		t.Errorf("Value is not a PKCS#1 public key: %v", err)
	}
}
