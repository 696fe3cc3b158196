package sqs

import "encoding/json"

// policy is a queue policy document, as AddPermission writes it.
type policy struct {
	Version   string            `json:"Version"`
	ID        string            `json:"Id"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid       string `json:"Sid"`
	Effect    string `json:"Effect"`
	Principal any    `json:"Principal"`
	Action    any    `json:"Action"`
	Resource  string `json:"Resource"`
}

// readPolicy parses a queue's Policy attribute, or starts an empty one.
func readPolicy(raw, arn string) policy {
	p := policy{Version: "2012-10-17", ID: arn + "/SQSDefaultPolicy"}
	if raw != "" {
		_ = json.Unmarshal([]byte(raw), &p)
	}
	return p
}

// oneOrMany is a single string or a list, as IAM policies write them.
func oneOrMany(ss []string) any {
	if len(ss) == 1 {
		return ss[0]
	}
	return ss
}

func ptr[T any](v T) *T { return &v }

// noOutput is the output of operations that return nothing but their
// request id.
type noOutput struct{}
