package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/virga/virga/internal/apigateway"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/awsproto/query"
	"github.com/virga/virga/internal/awsproto/querycompat"
)

// serviceIntegrations carries API Gateway's AWS service integrations
// (DynamoDB's PutItem, SQS's SendMessage, EventBridge's PutEvents, ...)
// to virga's services. It builds the request API Gateway sends to the
// service's endpoint — an action names an X-Amz-Target for JSON services
// and an Action parameter for awsQuery ones — signs it with the
// credentials of the integration's role, and serves it through the edge in
// process, so it is authenticated and answered exactly as a client's
// request would be.
type serviceIntegrations struct {
	a     *App
	roles *roleCache
}

var _ apigateway.AWSServices = serviceIntegrations{}

// integrationRole is the role integrations without credentials sign as.
const integrationRole = "apigateway-integration"

func (si serviceIntegrations) Do(ctx context.Context, r apigateway.AWSRequest) (*http.Response, error) {
	svc := si.a.Service(r.Service)
	if svc == nil {
		return nil, fmt.Errorf("no AWS service %q in virga", r.Service)
	}
	q := url.Values{}
	for k, vs := range r.Query {
		q[k] = vs
	}
	header := r.Header.Clone()
	if header.Get("Accept") == "" {
		// API Gateway asks awsQuery services (SQS, SNS) for JSON, which
		// response templates read with $input.path.
		header.Set("Accept", "application/json")
	}
	if r.Action != "" {
		switch p := svc.Protocol.(type) {
		case *awsjson.Protocol:
			header.Set("X-Amz-Target", p.TargetPrefix+"."+r.Action)
			header.Set("Content-Type", "application/x-amz-json-"+p.Version)
		case *query.Protocol:
			q.Set("Action", r.Action)
			if q.Get("Version") == "" {
				q.Set("Version", p.APIVersion)
			}
		case *querycompat.Protocol:
			q.Set("Action", r.Action)
			if q.Get("Version") == "" {
				q.Set("Version", p.Query.APIVersion)
			}
		default:
			return nil, fmt.Errorf("service %q takes no action-style integration", r.Service)
		}
	}
	method := r.Method
	if method == "" {
		method = http.MethodPost
	}
	endpoint := si.a.endpoint()
	u := endpoint + "/" + strings.TrimPrefix(r.Path, "/")
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(r.Body))
	if err != nil {
		return nil, err
	}
	req.Header = header
	req.Host = strings.TrimPrefix(endpoint, "http://")
	req.RemoteAddr = "127.0.0.1:0"
	role := r.Role
	if role == "" || role == "arn:aws:iam::*:user/*" {
		role = "arn:aws:iam::" + si.a.cfg.AccountID + ":role/" + integrationRole
	}
	cred, err := si.roles.AssumeRole(ctx, role, "apigateway")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(r.Body)
	err = v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey,
		SessionToken: cred.SessionToken}, req, hex.EncodeToString(sum[:]), r.Service, si.a.cfg.Region, si.a.clock.Now())
	if err != nil {
		return nil, err
	}
	rec := &recorder{header: http.Header{}}
	si.a.handler.ServeHTTP(rec, req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return &http.Response{StatusCode: rec.status, Header: rec.header, Body: io.NopCloser(&rec.body),
		ContentLength: int64(rec.body.Len()), Request: req}, nil
}

// recorder is the response of a request served in process.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}
