package ecs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// SecretValues reads Secrets Manager secrets for containers' secrets:
// internal/app wires it to internal/secretsmanager.
type SecretValues interface {
	// SecretString is the SecretString of a secret (name or ARN) at
	// versionID or stage, AWSCURRENT when both are empty, with
	// GetSecretValue's errors.
	SecretString(ctx context.Context, id, versionID, stage string) (string, error)
}

// Parameters reads Systems Manager parameters for containers' secrets:
// internal/app wires it to internal/ssm.
type Parameters interface {
	// Parameter is a parameter's value, decrypted, by name.
	Parameter(ctx context.Context, name string) (string, error)
}

// Objects reads S3 objects for containers' environmentFiles:
// internal/app wires it to internal/s3.
type Objects interface {
	ObjectBytes(ctx context.Context, bucket, key string) ([]byte, error)
}

// secretRef is a container secret's valueFrom: a Secrets Manager secret
// ARN, optionally followed by :json-key:version-stage:version-id, or a
// Systems Manager parameter ARN or name.
type secretRef struct {
	secret                         bool
	id                             string // secret ARN or parameter name
	jsonKey, stage, versionID, raw string
}

// parseValueFrom reads a secret's valueFrom as ECS documents it.
func parseValueFrom(v string) secretRef {
	r := secretRef{raw: v}
	parts := strings.Split(v, ":")
	if len(parts) >= 7 && parts[0] == "arn" && parts[2] == "secretsmanager" && parts[5] == "secret" {
		r.secret = true
		r.id = strings.Join(parts[:7], ":")
		extra := parts[7:]
		get := func(i int) string {
			if i < len(extra) {
				return extra[i]
			}
			return ""
		}
		r.jsonKey, r.stage, r.versionID = get(0), get(1), get(2)
		return r
	}
	if len(parts) >= 6 && parts[0] == "arn" && parts[2] == "ssm" {
		res := strings.Join(parts[5:], ":")
		name := strings.TrimPrefix(res, "parameter")
		// parameter/name is "name"; parameter/a/b is the path "/a/b".
		if strings.Count(name, "/") == 1 {
			name = strings.TrimPrefix(name, "/")
		}
		r.id = name
		return r
	}
	r.id = v
	return r
}

// resolveSecrets reads a container's secrets and environment files at
// task start. The error is the stoppedReason ECS gives a task whose
// secrets cannot be read.
func (s *Service) resolveSecrets(ctx context.Context, cd ContainerDefinition, role, taskID string) (files, secrets []KeyValuePair, err error) {
	for _, f := range cd.EnvironmentFiles {
		kv, err := s.readEnvFile(ctx, deref(f.Value), role, taskID)
		if err != nil {
			return nil, nil, fmt.Errorf("ResourceInitializationError: failed to download env files: file download command: non empty error stream: %v", err)
		}
		files = append(files, kv...)
	}
	for _, sec := range cd.Secrets {
		v, err := s.secretValue(ctx, parseValueFrom(deref(sec.ValueFrom)), role, taskID)
		if err != nil {
			return nil, nil, err
		}
		secrets = append(secrets, KeyValuePair{Name: sec.Name, Value: ptr(v)})
	}
	return files, secrets, nil
}

const secretsPrefix = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "

// secretValue reads one secret reference.
func (s *Service) secretValue(ctx context.Context, r secretRef, role, taskID string) (string, error) {
	service, action, arn := s.secretResource(r)
	denied := s.execAllowed(ctx, role, taskID, service, action, arn)
	if r.secret {
		fail := func(err error) (string, error) {
			return "", fmt.Errorf("%sunable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret %s from secrets manager: %v", secretsPrefix, r.id, err)
		}
		if denied != nil {
			return fail(denied)
		}
		if s.secretValues == nil {
			return fail(fmt.Errorf("ResourceNotFoundException: Secrets Manager can't find the specified secret."))
		}
		v, err := s.secretValues.SecretString(ctx, r.id, r.versionID, r.stage)
		if err != nil {
			return fail(err)
		}
		if r.jsonKey == "" {
			return v, nil
		}
		val, err := jsonKey(v, r.jsonKey)
		if err != nil {
			return "", fmt.Errorf("%sunable to retrieve secret from asm: %v", secretsPrefix, err)
		}
		return val, nil
	}
	fail := func(err error) (string, error) {
		return "", fmt.Errorf("%sunable to retrieve secrets from ssm: service call has been retried 1 time(s): %v", secretsPrefix, err)
	}
	if denied != nil {
		return fail(denied)
	}
	if s.parameters == nil {
		return fail(fmt.Errorf("invalid parameters: %s", r.id))
	}
	v, err := s.parameters.Parameter(ctx, r.id)
	if err != nil {
		return fail(fmt.Errorf("invalid parameters: %s", r.id))
	}
	return v, nil
}

// readEnvFile reads an environment file, arn:aws:s3:::bucket/key.env,
// in the format ECS documents: VARIABLE=VALUE a line, lines beginning
// with # and blank lines ignored.
func (s *Service) readEnvFile(ctx context.Context, arn, role, taskID string) ([]KeyValuePair, error) {
	path, ok := strings.CutPrefix(arn, "arn:aws:s3:::")
	bucket, key, _ := strings.Cut(path, "/")
	if !ok || bucket == "" || key == "" {
		return nil, fmt.Errorf("invalid S3 ARN %s", arn)
	}
	if err := s.execAllowed(ctx, role, taskID, "s3", "s3:GetObject", arn); err != nil {
		return nil, err
	}
	if s.objects == nil {
		return nil, fmt.Errorf("NoSuchBucket: The specified bucket does not exist")
	}
	b, err := s.objects.ObjectBytes(ctx, bucket, key)
	if err != nil {
		return nil, err
	}
	return parseEnvFile(b), nil
}

// parseEnvFile reads .env lines: VARIABLE=VALUE, the value kept as
// written; comments, blank lines and lines without "=" are skipped.
func parseEnvFile(b []byte) []KeyValuePair {
	var out []KeyValuePair
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			continue
		}
		out = append(out, KeyValuePair{Name: ptr(k), Value: ptr(v)})
	}
	return out
}

// jsonKey is one key of a secret whose value is a JSON object: a string
// as it is, any other value as JSON.
func jsonKey(secret, key string) (string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(secret), &m); err != nil {
		return "", fmt.Errorf("retrieved secret from Secrets Manager is not valid JSON: %v", err)
	}
	raw, ok := m[key]
	if !ok {
		return "", fmt.Errorf("retrieved secret from Secrets Manager did not contain json key %s", key)
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return str, nil
	}
	return string(raw), nil
}

// addSecrets resolves the secrets and environment files of a task's
// containers into their environments: a file's variable only when
// neither the environment nor an earlier file set it, a secret over
// anything.
func (s *Service) addSecrets(ctx context.Context, def TaskDefinition, role, taskID string, spec *TaskSpec) error {
	for i := range spec.Containers {
		c := &spec.Containers[i]
		for _, cd := range def.ContainerDefinitions {
			if deref(cd.Name) != c.Name || (len(cd.Secrets) == 0 && len(cd.EnvironmentFiles) == 0) {
				continue
			}
			files, secrets, err := s.resolveSecrets(ctx, cd, role, taskID)
			if err != nil {
				return err
			}
			set := map[string]int{}
			for j, kv := range c.Env {
				k, _, _ := strings.Cut(kv, "=")
				set[k] = j
			}
			for _, kv := range files {
				if _, ok := set[deref(kv.Name)]; !ok {
					set[deref(kv.Name)] = len(c.Env)
					c.Env = append(c.Env, deref(kv.Name)+"="+deref(kv.Value))
				}
			}
			for _, kv := range secrets {
				if j, ok := set[deref(kv.Name)]; ok {
					c.Env[j] = deref(kv.Name) + "=" + deref(kv.Value)
					continue
				}
				set[deref(kv.Name)] = len(c.Env)
				c.Env = append(c.Env, deref(kv.Name)+"="+deref(kv.Value))
			}
		}
	}
	return nil
}
