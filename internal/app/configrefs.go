package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/virga/virga/internal/cfn/dynref"
	"github.com/virga/virga/internal/cfn/template"
	"github.com/virga/virga/internal/secretsmanager"
	"github.com/virga/virga/internal/ssm"
)

// dynamicReferences are CloudFormation's resolvers for
// {{resolve:ssm:...}}, {{resolve:ssm-secure:...}} and
// {{resolve:secretsmanager:...}}, over Parameter Store and Secrets
// Manager in process.
func dynamicReferences(params *ssm.Service, secrets *secretsmanager.Service) map[string]dynref.Resolver {
	return map[string]dynref.Resolver{
		dynref.SSM:            parameterRefs{params: params},
		dynref.SSMSecure:      parameterRefs{params: params, secure: true},
		dynref.SecretsManager: secretRefs{secrets},
	}
}

type parameterRefs struct {
	params *ssm.Service
	secure bool
}

func (p parameterRefs) Resolve(ctx context.Context, r dynref.Ref) (string, error) {
	sel := r.Name
	if r.Version != 0 {
		sel += ":" + strconv.FormatInt(r.Version, 10)
	}
	v, err := p.params.Resolve(ctx, sel)
	switch {
	case errors.Is(err, ssm.ErrParameterNotFound):
		return "", &dynref.Error{Message: fmt.Sprintf("Unable to fetch parameters [%s] from parameter store for this account.", r.Name)}
	case errors.Is(err, ssm.ErrParameterVersionNotFound):
		return "", &dynref.Error{Message: fmt.Sprintf("Unable to fetch parameters [%s] from parameter store for this account: version %d not found.", r.Name, r.Version)}
	case err != nil:
		return "", err
	case !p.secure && v.Type == "SecureString":
		// A SecureString is read with ssm-secure only.
		return "", &dynref.Error{Message: fmt.Sprintf("Parameters [%s] referenced by template have types not supported by CloudFormation.", r.Name)}
	}
	return v.Value, nil
}

type secretRefs struct{ secrets *secretsmanager.Service }

func (s secretRefs) Resolve(ctx context.Context, r dynref.Ref) (string, error) {
	v, err := s.secrets.Resolve(ctx, r.SecretID, r.VersionID, r.VersionStage)
	if err != nil {
		return "", &dynref.Error{Message: err.Error()}
	}
	if v.String == nil {
		return "", &dynref.Error{Message: fmt.Sprintf("Secret %s has no SecretString: dynamic references read SecretString only", r.SecretID)}
	}
	if r.JSONKey == "" {
		return *v.String, nil
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(*v.String), &doc); err != nil {
		return "", &dynref.Error{Message: fmt.Sprintf("Secret %s's SecretString is not a JSON object, so it has no key %s", r.SecretID, r.JSONKey)}
	}
	raw, ok := doc[r.JSONKey]
	if !ok {
		return "", &dynref.Error{Message: fmt.Sprintf("Could not find SecretString key %s in secret %s", r.JSONKey, r.SecretID)}
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return str, nil
	}
	return string(raw), nil
}

// ssmParameterLookup reads the parameters that
// AWS::SSM::Parameter::Value<...> template parameters name.
func ssmParameterLookup(params *ssm.Service) template.SSMLookup {
	return func(name string) (string, string, bool, error) {
		v, err := params.Resolve(context.Background(), name)
		if errors.Is(err, ssm.ErrParameterNotFound) || errors.Is(err, ssm.ErrParameterVersionNotFound) {
			return "", "", false, nil
		}
		if err != nil {
			return "", "", false, err
		}
		return v.Type, v.Value, true, nil
	}
}
