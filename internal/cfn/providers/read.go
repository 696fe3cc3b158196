package providers

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
)

// The read handlers of the commonest types (their Type.Lister): they
// describe the resources a service has, whoever made them, through the
// service's list and describe operations, as the properties that would
// make each as it is and the attributes a stack would record.

// eachPage calls op with in, then again with each next-page token the
// answer gives (tokenOut, sent back as tokenIn), handing every answer
// to each.
func eachPage(ctx context.Context, r *resource.Request, service, op string, in map[string]any, tokenIn, tokenOut string, each func(out props) error) error {
	for {
		out, err := call(ctx, r, service, op, in)
		if err != nil {
			return err
		}
		if err := each(props(out)); err != nil {
			return err
		}
		next := outStr(out, tokenOut)
		if next == "" {
			return nil
		}
		in[tokenIn] = next
	}
}

// envRequest is a request with env only, which is all the read
// handlers need.
func envRequest(env *resource.Env) *resource.Request { return &resource.Request{Env: env} }

func (queue) List(ctx context.Context, env *resource.Env) ([]resource.Described, error) {
	r := envRequest(env)
	var out []resource.Described
	err := eachPage(ctx, r, "sqs", "ListQueues", map[string]any{}, "NextToken", "NextToken", func(page props) error {
		for _, u := range page.list("QueueUrls") {
			url, _ := text(u)
			got, err := call(ctx, r, "sqs", "GetQueueAttributes", map[string]any{"QueueUrl": url, "AttributeNames": []any{"All"}})
			if gone(err) {
				continue
			} else if err != nil {
				return err
			}
			attrs := props(asMap(got["Attributes"]))
			name := url[strings.LastIndex(url, "/")+1:]
			p := map[string]any{"QueueName": name}
			if attrs.flag("FifoQueue") {
				p["FifoQueue"] = true
			}
			for _, a := range queueAttributes {
				if v := attrs.str(a.name); v != "" {
					p[a.name] = describedValue(v, a.json)
				}
			}
			out = append(out, resource.Described{PhysicalID: url, Properties: p,
				Attributes: map[string]any{"Arn": attrs.str("QueueArn"), "QueueName": name, "QueueUrl": url}})
		}
		return nil
	})
	return out, err
}

// describedValue is an attribute's text as the property that sets it:
// a JSON document, a number, a boolean, or text.
func describedValue(v string, isJSON bool) any {
	if isJSON {
		var doc any
		if json.Unmarshal([]byte(v), &doc) == nil {
			return doc
		}
		return v
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n
	}
	if b, err := strconv.ParseBool(v); err == nil {
		return b
	}
	return v
}

func (topic) List(ctx context.Context, env *resource.Env) ([]resource.Described, error) {
	var out []resource.Described
	err := eachPage(ctx, envRequest(env), "sns", "ListTopics", map[string]any{}, "NextToken", "NextToken", func(page props) error {
		for _, t := range page.list("Topics") {
			arn := props(asMap(t)).str("TopicArn")
			name := arn[strings.LastIndex(arn, ":")+1:]
			p := map[string]any{"TopicName": name}
			if strings.HasSuffix(name, fifoSuffix) {
				p["FifoTopic"] = true
			}
			out = append(out, resource.Described{PhysicalID: arn, Properties: p,
				Attributes: map[string]any{"TopicArn": arn, "TopicName": name}})
		}
		return nil
	})
	return out, err
}

func (logGroup) List(ctx context.Context, env *resource.Env) ([]resource.Described, error) {
	var out []resource.Described
	err := eachPage(ctx, envRequest(env), "logs", "DescribeLogGroups", map[string]any{}, "nextToken", "nextToken", func(page props) error {
		for _, g := range page.list("logGroups") {
			lg := props(asMap(g))
			p := map[string]any{"LogGroupName": lg.str("logGroupName")}
			if lg.has("retentionInDays") {
				p["RetentionInDays"] = lg["retentionInDays"]
			}
			out = append(out, resource.Described{PhysicalID: lg.str("logGroupName"), Properties: p,
				Attributes: map[string]any{"Arn": lg.str("arn")}})
		}
		return nil
	})
	return out, err
}

func (table) List(ctx context.Context, env *resource.Env) ([]resource.Described, error) {
	r := envRequest(env)
	var out []resource.Described
	err := eachPage(ctx, r, "dynamodb", "ListTables", map[string]any{}, "ExclusiveStartTableName", "LastEvaluatedTableName", func(page props) error {
		for _, n := range page.list("TableNames") {
			name, _ := text(n)
			got, err := call(ctx, r, "dynamodb", "DescribeTable", map[string]any{"TableName": name})
			if gone(err) {
				continue
			} else if err != nil {
				return err
			}
			desc := props(asMap(got["Table"]))
			p := desc.pick(map[string]any{}, "TableName", "KeySchema", "AttributeDefinitions", "StreamSpecification")
			p["BillingMode"] = "PROVISIONED"
			if bm := desc.obj("BillingModeSummary").str("BillingMode"); bm != "" {
				p["BillingMode"] = bm
			}
			res := tableResult(desc)
			out = append(out, resource.Described{PhysicalID: res.PhysicalID, Properties: p, Attributes: res.Attributes})
		}
		return nil
	})
	return out, err
}

func (function) List(ctx context.Context, env *resource.Env) ([]resource.Described, error) {
	var out []resource.Described
	err := eachPage(ctx, envRequest(env), "lambda", "ListFunctions", map[string]any{}, "Marker", "NextMarker", func(page props) error {
		for _, f := range page.list("Functions") {
			cfg := props(asMap(f))
			p := cfg.pick(map[string]any{}, "FunctionName", "Runtime", "Handler", "Role", "MemorySize", "Timeout", "Description", "Architectures", "PackageType")
			res := functionResult(cfg)
			out = append(out, resource.Described{PhysicalID: res.PhysicalID, Properties: p, Attributes: res.Attributes})
		}
		return nil
	})
	return out, err
}

func (bucket) List(ctx context.Context, env *resource.Env) ([]resource.Described, error) {
	var out []resource.Described
	err := eachPage(ctx, envRequest(env), "s3", "ListBuckets", map[string]any{}, "ContinuationToken", "ContinuationToken", func(page props) error {
		for _, b := range page.list("Buckets") {
			name := props(asMap(b)).str("Name")
			res := bucketResult(name, env.Region)
			out = append(out, resource.Described{PhysicalID: name, Properties: map[string]any{"BucketName": name}, Attributes: res.Attributes})
		}
		return nil
	})
	return out, err
}
