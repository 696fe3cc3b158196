package app

import (
	"context"
	"io"

	"github.com/virga/virga/internal/secretsmanager"
	"github.com/virga/virga/internal/ssm"
)

// taskSecrets reads what ECS containers' secrets and environmentFiles
// name: Secrets Manager secrets, Parameter Store parameters and S3
// objects, in process.
type taskSecrets struct {
	a       *App
	secrets *secretsmanager.Service
	params  *ssm.Service
}

func (t taskSecrets) SecretString(ctx context.Context, id, versionID, stage string) (string, error) {
	v, err := t.secrets.Resolve(ctx, id, versionID, stage)
	if err != nil {
		return "", err
	}
	if v.String == nil {
		return string(v.Binary), nil
	}
	return *v.String, nil
}

func (t taskSecrets) Parameter(ctx context.Context, name string) (string, error) {
	v, err := t.params.Resolve(ctx, name)
	if err != nil {
		return "", err
	}
	return v.Value, nil
}

func (t taskSecrets) ObjectBytes(ctx context.Context, bucket, key string) ([]byte, error) {
	rd, _, err := objects{t.a}.Object(ctx, bucket, key, "")
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(io.LimitReader(rd, 1<<20))
}
