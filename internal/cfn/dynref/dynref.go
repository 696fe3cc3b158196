package dynref

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Services a reference may name.
const (
	SSM            = "ssm"
	SSMSecure      = "ssm-secure"
	SecretsManager = "secretsmanager"
)

// Ref is one parsed dynamic reference.
type Ref struct {
	// Service is ssm, ssm-secure or secretsmanager.
	Service string
	// Text is the whole reference, braces included.
	Text string

	// Name and Version are an ssm or ssm-secure reference's parameter
	// name and version (0: the latest).
	Name    string
	Version int64

	// SecretID, JSONKey, VersionStage and VersionID are a secretsmanager
	// reference's fields; empty ones take their defaults.
	SecretID, JSONKey, VersionStage, VersionID string
}

// Resolver reads the value a reference names from its service.
type Resolver interface {
	Resolve(ctx context.Context, r Ref) (string, error)
}

// Error is a reference CloudFormation cannot resolve; its message is
// the resource's failure reason.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

func errorf(format string, args ...any) error { return &Error{Message: fmt.Sprintf(format, args...)} }

// OpenMark and CloseMark open and close a reference.
const (
	OpenMark  = "{{resolve:"
	CloseMark = "}}"
)

// Contains reports whether s holds a dynamic reference.
func Contains(s string) bool { return strings.Contains(s, OpenMark) }

// Find returns the references in s, in order, with their byte offsets.
func Find(s string) ([]Ref, [][2]int, error) {
	var refs []Ref
	var spans [][2]int
	for at := 0; ; {
		i := strings.Index(s[at:], OpenMark)
		if i < 0 {
			return refs, spans, nil
		}
		start := at + i
		j := strings.Index(s[start+len(OpenMark):], CloseMark)
		if j < 0 {
			return nil, nil, errorf("Incorrect format is used in the following SSM reference: [%s]", s[start:])
		}
		end := start + len(OpenMark) + j + len(CloseMark)
		r, err := Parse(s[start:end])
		if err != nil {
			return nil, nil, err
		}
		refs = append(refs, r)
		spans = append(spans, [2]int{start, end})
		at = end
	}
}

// Parse reads one reference, "{{resolve:...}}" whole.
func Parse(text string) (Ref, error) {
	if !strings.HasPrefix(text, OpenMark) || !strings.HasSuffix(text, CloseMark) || len(text) < len(OpenMark)+len(CloseMark) {
		return Ref{}, errorf("Dynamic reference %s is not of the form {{resolve:service-name:reference-key}}", text)
	}
	body := text[len(OpenMark) : len(text)-len(CloseMark)]
	service, key, ok := strings.Cut(body, ":")
	r := Ref{Service: service, Text: text}
	if !ok || key == "" {
		return r, errorf("Dynamic reference %s is not of the form {{resolve:service-name:reference-key}}", text)
	}
	switch service {
	case SSM, SSMSecure:
		return parseSSM(r, key)
	case SecretsManager:
		return parseSecret(r, key)
	}
	// Wording unconfirmed.
	return r, errorf("Dynamic reference %s names service %s; supported services are ssm, ssm-secure and secretsmanager", text, service)
}

func parseSSM(r Ref, key string) (Ref, error) {
	name, version, hasVersion := strings.Cut(key, ":")
	r.Name = name
	if name == "" || strings.ContainsAny(name, " {}") {
		return r, errorf("Incorrect format is used in the following SSM reference: [%s]", r.Text)
	}
	if hasVersion {
		v, err := strconv.ParseInt(version, 10, 64)
		if err != nil || v < 1 {
			return r, errorf("Incorrect format is used in the following SSM reference: [%s]", r.Text)
		}
		r.Version = v
	}
	return r, nil
}

func parseSecret(r Ref, key string) (Ref, error) {
	var fields []string
	if strings.HasPrefix(key, "arn:") {
		parts := strings.SplitN(key, ":", 8)
		if len(parts) < 7 || parts[6] == "" {
			return r, errorf("Secrets Manager dynamic reference %s has a malformed secret ARN", r.Text)
		}
		r.SecretID = strings.Join(parts[:7], ":")
		if len(parts) == 8 {
			fields = strings.Split(parts[7], ":")
		}
	} else {
		parts := strings.Split(key, ":")
		r.SecretID, fields = parts[0], parts[1:]
	}
	if r.SecretID == "" {
		return r, errorf("Secrets Manager dynamic reference %s names no secret", r.Text)
	}
	if len(fields) > 4 {
		return r, errorf("Secrets Manager dynamic reference %s has too many fields: {{resolve:secretsmanager:secret-id:secret-string:json-key:version-stage:version-id}}", r.Text)
	}
	fields = append(fields, "", "", "", "")
	if fields[0] != "" && fields[0] != "SecretString" {
		return r, errorf("Secrets Manager dynamic reference %s: the only supported secret-string is SecretString", r.Text)
	}
	r.JSONKey, r.VersionStage, r.VersionID = fields[1], fields[2], fields[3]
	if r.VersionStage != "" && r.VersionID != "" {
		return r, errorf("Secrets Manager dynamic reference %s: specify a version-stage or a version-id, not both", r.Text)
	}
	return r, nil
}

// Where says where a value sits: the resource's type and the property
// path inside it ("Environment/Variables/KEY").
type Where struct {
	ResourceType string
	Path         string
}

// secureProperties are the resource properties that may hold an
// ssm-secure reference, from "Resources that support dynamic parameter
// patterns for secure strings" in the CloudFormation User Guide.
var secureProperties = map[string][]string{
	"AWS::DirectoryService::MicrosoftAD":   {"Password"},
	"AWS::DirectoryService::SimpleAD":      {"Password"},
	"AWS::ElastiCache::ReplicationGroup":   {"AuthToken"},
	"AWS::IAM::User":                       {"LoginProfile/Password"},
	"AWS::KinesisFirehose::DeliveryStream": {"RedshiftDestinationConfiguration/Password"},
	"AWS::OpsWorks::App":                   {"AppSource/Password"},
	"AWS::OpsWorks::Stack":                 {"CustomCookbooksSource/Password", "RdsDbInstances/DbPassword"},
	"AWS::RDS::DBCluster":                  {"MasterUserPassword"},
	"AWS::RDS::DBInstance":                 {"MasterUserPassword"},
	"AWS::Redshift::Cluster":               {"MasterUserPassword"},
}

// secureAllowed reports whether w may hold an ssm-secure reference.
func secureAllowed(w Where) bool {
	for _, p := range secureProperties[w.ResourceType] {
		if w.Path == p || strings.HasPrefix(w.Path, p+"/") {
			return true
		}
		// A list element's index sits between the list and its fields.
		if head, tail, ok := strings.Cut(p, "/"); ok {
			if rest, ok := strings.CutPrefix(w.Path, head+"/"); ok {
				if _, after, ok := strings.Cut(rest, "/"); ok && after == tail {
					return true
				}
			}
		}
	}
	return false
}

// Resolve returns v with every reference in its strings replaced by the
// resolver of its service. resourceType names the resource, for the
// ssm-secure rule.
func Resolve(ctx context.Context, v any, resourceType string, resolvers map[string]Resolver) (any, error) {
	return walk(ctx, v, Where{ResourceType: resourceType}, resolvers)
}

func walk(ctx context.Context, v any, w Where, resolvers map[string]Resolver) (any, error) {
	switch x := v.(type) {
	case string:
		return resolveString(ctx, x, w, resolvers)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, err := walk(ctx, e, Where{w.ResourceType, join(w.Path, k)}, resolvers)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := walk(ctx, e, Where{w.ResourceType, join(w.Path, strconv.Itoa(i))}, resolvers)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "/" + k
}

func resolveString(ctx context.Context, s string, w Where, resolvers map[string]Resolver) (string, error) {
	if !Contains(s) {
		return s, nil
	}
	refs, spans, err := Find(s)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	last := 0
	for i, r := range refs {
		if r.Service == SSMSecure && !secureAllowed(w) {
			return "", errorf("SSM Secure reference is not supported in: [%s/Properties/%s]", w.ResourceType, w.Path)
		}
		res := resolvers[r.Service]
		if res == nil {
			return "", errorf("Dynamic references to %s are not supported", r.Service)
		}
		val, err := res.Resolve(ctx, r)
		if err != nil {
			var de *Error
			if errors.As(err, &de) {
				return "", err
			}
			return "", &Error{Message: err.Error()}
		}
		b.WriteString(s[last:spans[i][0]])
		b.WriteString(val)
		last = spans[i][1]
	}
	b.WriteString(s[last:])
	return b.String(), nil
}
