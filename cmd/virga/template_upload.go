package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// maxTemplateBody is CloudFormation's limit on a template passed inline
// ("Template body size in a request: 51,200 bytes"); a larger one goes
// through S3 as a TemplateURL.
const maxTemplateBody = 51200

// s3Client is an S3 client for virga at endpoint, path-style.
func s3Client(endpoint, region, key, secret string) *s3.Client {
	return s3.NewFromConfig(aws.Config{Region: region, BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")},
		func(o *s3.Options) { o.UsePathStyle = true })
}

// uploadTemplate stores a template in virga's S3, in the artifact
// bucket (made if missing), named by its SHA-256, and returns its URL on
// virga's endpoint.
func uploadTemplate(ctx context.Context, sc *s3.Client, endpoint string, body []byte) (string, error) {
	if _, err := sc.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(artifactBucket)}); err != nil {
		_, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(artifactBucket)})
		var owned *s3types.BucketAlreadyOwnedByYou
		if err != nil && !errors.As(err, &owned) {
			return "", err
		}
	}
	sum := sha256.Sum256(body)
	key := "templates/" + hex.EncodeToString(sum[:]) + ".template"
	if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(artifactBucket), Key: aws.String(key),
		Body: bytes.NewReader(body)}); err != nil {
		return "", err
	}
	return strings.TrimSuffix(endpoint, "/") + "/" + artifactBucket + "/" + key, nil
}
