package sam

import (
	"encoding/json"
	"testing"
)

// TestPolicyTemplatesAsAWSExpandsThem checks the statements of policy
// templates against what AWS's translator (samtranslator 1.110.0) wrote
// for a function with only that template, each parameter given as "p"
// followed by its name.
func TestPolicyTemplatesAsAWSExpandsThem(t *testing.T) {
	t.Parallel()
	sub := func(pattern, name, value string) map[string]any {
		return map[string]any{"Fn::Sub": []any{pattern, map[string]any{name: value}}}
	}
	stmt := func(actions []any, resource any) map[string]any {
		return map[string]any{"Effect": "Allow", "Action": actions, "Resource": resource}
	}
	sesIdentity := sub("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${identityName}", "identityName", "pIdentityName")
	table := sub("arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${tableName}", "tableName", "pTableName")
	backups := sub("arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${tableName}/backup/*", "tableName", "pTableName")
	machine := sub("arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${stateMachineName}", "stateMachineName", "pStateMachineName")
	tests := []struct {
		template string
		params   string
		want     []any
	}{
		{"SESCrudPolicy", `{"IdentityName": "pIdentityName"}`, []any{
			stmt([]any{"ses:GetIdentityVerificationAttributes", "ses:SendEmail", "ses:SendRawEmail", "ses:VerifyEmailIdentity"}, sesIdentity),
		}},
		{"SESBulkTemplatedCrudPolicy", `{"IdentityName": "pIdentityName"}`, []any{
			stmt([]any{"ses:GetIdentityVerificationAttributes", "ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail", "ses:VerifyEmailIdentity"}, sesIdentity),
		}},
		{"SESBulkTemplatedCrudPolicy_v2", `{"IdentityName": "pIdentityName", "TemplateName": "pTemplateName"}`, []any{
			stmt([]any{"ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"}, []any{
				sesIdentity,
				sub("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:template/${templateName}", "templateName", "pTemplateName"),
			}),
			stmt([]any{"ses:GetIdentityVerificationAttributes", "ses:VerifyEmailIdentity"}, "*"),
		}},
		{"SESEmailTemplateCrudPolicy", `{}`, []any{
			stmt([]any{"ses:CreateTemplate", "ses:GetTemplate", "ses:ListTemplates", "ses:UpdateTemplate", "ses:DeleteTemplate", "ses:TestRenderTemplate"}, "*"),
		}},
		{"SESSendBouncePolicy", `{"IdentityName": "pIdentityName"}`, []any{
			stmt([]any{"ses:SendBounce"}, sesIdentity),
		}},
		{"Route53ChangeResourceRecordSetsPolicy", `{"HostedZoneId": "pHostedZoneId"}`, []any{
			stmt([]any{"route53:ChangeResourceRecordSets"}, sub("arn:${AWS::Partition}:route53:::hostedzone/${HostedZoneId}", "HostedZoneId", "pHostedZoneId")),
		}},
		{"StepFunctionsCallbackPolicy", `{"StateMachineName": "pStateMachineName"}`, []any{
			stmt([]any{"states:SendTaskFailure", "states:SendTaskHeartbeat", "states:SendTaskSuccess"}, machine),
		}},
		{"StepFunctionsExecutionPolicy_v2", `{"StateMachineName": "pStateMachineName"}`, []any{
			stmt([]any{"states:StartExecution", "states:StartSyncExecution"}, machine),
		}},
		{"KMSEncryptPolicy_v2", `{"KeyId": "pKeyId"}`, []any{
			stmt([]any{"kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext"},
				sub("arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${keyId}", "keyId", "pKeyId")),
		}},
		{"DynamoDBBackupFullAccessPolicy", `{"TableName": "pTableName"}`, []any{
			stmt([]any{"dynamodb:CreateBackup", "dynamodb:DescribeContinuousBackups"}, table),
			stmt([]any{"dynamodb:DeleteBackup", "dynamodb:DescribeBackup", "dynamodb:ListBackups"}, backups),
		}},
		{"DynamoDBRestoreFromBackupPolicy", `{"TableName": "pTableName"}`, []any{
			stmt([]any{"dynamodb:RestoreTableFromBackup"}, backups),
			stmt([]any{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchWriteItem"}, table),
		}},
		{"EcsRunTaskPolicy", `{"TaskDefinition": "pTaskDefinition"}`, []any{
			stmt([]any{"ecs:RunTask"}, sub("arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task-definition/${taskDefinition}", "taskDefinition", "pTaskDefinition")),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.template, func(t *testing.T) {
			t.Parallel()
			r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      InlineCode: x
      Policies:
        - `+tc.template+`: `+tc.params+`
`))
			policies := get(r.props(t, "FnRole", tRole), "Policies").([]any)
			want(t, "policy name", get(policies, 0, "PolicyName"), "FnRolePolicy0")
			got := get(policies, 0, "PolicyDocument", "Statement")
			// Compare as JSON: the transform's tree holds []any where
			// the expectation does too, but maps of its own.
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(tc.want)
			if string(g) != string(w) {
				t.Errorf("statements\n got %s\nwant %s", g, w)
			}
			if len(r.warnings) != 0 {
				t.Errorf("warnings %v", r.warnings)
			}
		})
	}
}
