package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/spf13/cobra"
)

// clientFlags are the flags of commands that talk to a running virga.
type clientFlags struct {
	endpoint string
	region   string
}

// register adds --endpoint-url (as the aws CLI and virga deploy name it;
// --endpoint is an older spelling kept working) and --region.
func (c *clientFlags) register(cmd *cobra.Command) {
	endpoint := os.Getenv("AWS_ENDPOINT_URL")
	if endpoint == "" {
		endpoint = os.Getenv("VIRGA_ENDPOINT")
	}
	if endpoint == "" {
		endpoint = "http://127.0.0.1:4566"
	}
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = "us-east-1"
	}
	cmd.Flags().StringVar(&c.endpoint, "endpoint-url", endpoint, "virga's URL (AWS_ENDPOINT_URL)")
	cmd.Flags().StringVar(&c.endpoint, "endpoint", endpoint, "the same as --endpoint-url")
	cmd.Flags().MarkHidden("endpoint")
	cmd.Flags().StringVar(&c.region, "region", region, "region (AWS_REGION)")
}

// config is an SDK configuration for virga, with the caller's credentials
// if set and virga's default ones otherwise.
func (c *clientFlags) config() aws.Config {
	key, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if key == "" || secret == "" {
		key, secret = "test", "test"
	}
	return aws.Config{
		Region:       c.region,
		BaseEndpoint: aws.String(c.endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(key, secret, os.Getenv("AWS_SESSION_TOKEN")),
	}
}

// explain words an error from a call to virga: a refused connection says
// where virga was looked for and how to point elsewhere, rather than the
// SDK's retry chain.
func explain(endpoint string, err error) error {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("cannot reach virga at %s: is `virga up` running there? (set --endpoint-url or AWS_ENDPOINT_URL to point elsewhere)", endpoint)
	}
	return err
}
