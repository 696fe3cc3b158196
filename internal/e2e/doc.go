// Package e2e starts the whole of virga in-process and drives it with real
// AWS clients: aws-sdk-go-v2 in Go tests, and the aws CLI (Debian's
// awscli, /usr/bin/aws) where its older protocol variants matter.
//
//	env := e2e.Start(t)
//	out, err := sts.NewFromConfig(env.Config).GetCallerIdentity(ctx, nil)
//	stdout := env.CLI(t, "sts", "get-caller-identity")
//
// Each Start is a fresh virga on 127.0.0.1:0 with an in-memory store, shut
// down when the test ends, so tests run in parallel. With
// VIRGA_E2E_STORE=postgres each of them runs on a database of its own on a
// throwaway PostgreSQL server instead (see StoreEnv), which runs the same
// tests against the PostgreSQL store.
package e2e
