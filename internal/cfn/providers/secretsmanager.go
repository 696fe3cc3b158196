package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:         "AWS::SecretsManager::Secret",
		Tags:         resource.TagList,
		Provider:     secret{},
		Replace:      []string{"Name"},
		NameProperty: "Name",
		Attributes:   []string{"Id"},
	})
}

// maxSecretName bounds generated secret names (Secrets Manager's limit
// is 512 characters).
const maxSecretName = 128

// secret is AWS::SecretsManager::Secret: CreateSecret with SecretString
// or a value GenerateSecretString makes with GetRandomPassword (alone,
// or as GenerateStringKey's value in the JSON SecretStringTemplate). Its
// physical ID and Ref are its ARN, as is GetAtt Id. Updates change the
// description and KMS key with UpdateSecret, put a new value when
// SecretString or GenerateSecretString changes, and retag; a new Name
// replaces the secret. Delete removes it without a recovery window, as
// CloudFormation does.
type secret struct{}

var secretKinds = map[string]kind{
	"PasswordLength": number, "ExcludeLowercase": boolean, "ExcludeNumbers": boolean, "ExcludePunctuation": boolean,
	"ExcludeUppercase": boolean, "IncludeSpace": boolean, "RequireEachIncludedType": boolean,
}

// secretValue is the SecretString a secret's properties give.
func secretValue(ctx context.Context, r *resource.Request, p props) (string, bool, error) {
	gen := p.obj("GenerateSecretString")
	if p.has("SecretString") {
		if gen != nil {
			return "", false, errors.New("AWS::SecretsManager::Secret: specify either SecretString or GenerateSecretString, not both")
		}
		return p.str("SecretString"), true, nil
	}
	if gen == nil {
		return "", false, nil
	}
	key, tmpl := gen.str("GenerateStringKey"), gen.str("SecretStringTemplate")
	if (key == "") != (tmpl == "") {
		return "", false, errors.New("AWS::SecretsManager::Secret: GenerateSecretString needs both GenerateStringKey and SecretStringTemplate, or neither")
	}
	in := gen.pick(map[string]any{}, "PasswordLength", "ExcludeCharacters", "ExcludeLowercase", "ExcludeNumbers",
		"ExcludePunctuation", "ExcludeUppercase", "IncludeSpace", "RequireEachIncludedType")
	out, err := call(ctx, r, "secretsmanager", "GetRandomPassword", in)
	if err != nil {
		return "", false, err
	}
	pw := outStr(out, "RandomPassword")
	if key == "" {
		return pw, true, nil
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(tmpl), &doc); err != nil || doc == nil {
		return "", false, fmt.Errorf("AWS::SecretsManager::Secret: SecretStringTemplate is not a JSON object: %s", tmpl)
	}
	doc[key] = pw
	raw, err := json.Marshal(doc)
	return string(raw), true, err
}

func (secret) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, secretKinds)
	name := p.str("Name")
	if name == "" {
		name = physicalName(r, maxSecretName)
	}
	in := p.pick(map[string]any{"Name": name}, "Description", "KmsKeyId")
	value, ok, err := secretValue(ctx, r, p)
	if err != nil {
		return nil, err
	}
	if ok {
		in["SecretString"] = value
	}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["Tags"] = tagList(tags)
	}
	out, err := call(ctx, r, "secretsmanager", "CreateSecret", in)
	if err != nil {
		return nil, err
	}
	arn := outStr(out, "ARN")
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{"Id": arn}}, nil
}

func (secret) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, secretKinds)
	arn := r.PhysicalID
	if changed(old, p, "Description", "KmsKeyId") {
		in := p.pick(map[string]any{"SecretId": arn}, "KmsKeyId")
		in["Description"] = p.str("Description")
		if _, err := call(ctx, r, "secretsmanager", "UpdateSecret", in); err != nil {
			return nil, err
		}
	}
	if changed(old, p, "SecretString", "GenerateSecretString") {
		value, ok, err := secretValue(ctx, r, p)
		if err != nil {
			return nil, err
		}
		if ok {
			if _, err := call(ctx, r, "secretsmanager", "PutSecretValue", map[string]any{"SecretId": arn, "SecretString": value}); err != nil {
				return nil, err
			}
		}
	}
	set, removed := tagDiff(tagMap(old["Tags"]), tagMap(p["Tags"]))
	if len(removed) > 0 {
		if _, err := call(ctx, r, "secretsmanager", "UntagResource", map[string]any{"SecretId": arn, "TagKeys": anyStrings(removed)}); err != nil {
			return nil, err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "secretsmanager", "TagResource", map[string]any{"SecretId": arn, "Tags": tagList(set)}); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{"Id": arn}}, nil
}

func (secret) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "secretsmanager", "DeleteSecret", map[string]any{"SecretId": r.PhysicalID, "ForceDeleteWithoutRecovery": true})
	return ignoreGone(err)
}
