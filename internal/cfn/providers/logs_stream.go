package providers

import (
	"context"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:         "AWS::Logs::LogStream",
		Required:     []string{"LogGroupName"},
		Provider:     logStream{},
		Replace:      []string{"*"},
		NameProperty: "LogStreamName",
	})
}

// logStream is AWS::Logs::LogStream: CreateLogStream in LogGroupName,
// named LogStreamName or a generated name. Its physical ID and Ref are
// the stream's name; every change replaces it.
type logStream struct{}

// maxLogStreamName is CloudWatch Logs' limit on a stream's name.
const maxLogStreamName = 512

func (logStream) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	name := p.str("LogStreamName")
	if name == "" {
		name = physicalName(r, maxLogStreamName)
	}
	if _, err := call(ctx, r, "logs", "CreateLogStream", map[string]any{"logGroupName": p.str("LogGroupName"), "logStreamName": name}); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name}, nil
}

func (logStream) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID}, nil
}

func (logStream) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "logs", "DeleteLogStream", map[string]any{"logGroupName": props(r.Properties).str("LogGroupName"), "logStreamName": r.PhysicalID})
	return ignoreGone(err)
}
