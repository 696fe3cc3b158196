package secretsmanager

// The operations' inputs and outputs come from AWS's model of Secrets
// Manager; model_overlay.json adds ListSecrets' IncludePlannedDeletion,
// which AWS introduced after the model Debian ships, and BatchGetSecretValue
// with its shapes, as AWS's API reference describes them (also newer).
//go:generate go run ../awsproto/shapegen -service secretsmanager -version 2017-10-17 -package secretsmanager -overlay model_overlay.json -out zz_shapes.go -ops PutResourcePolicy,GetResourcePolicy,DeleteResourcePolicy,ValidateResourcePolicy,CreateSecret,GetSecretValue,PutSecretValue,UpdateSecret,DescribeSecret,ListSecrets,ListSecretVersionIds,DeleteSecret,RestoreSecret,TagResource,UntagResource,GetRandomPassword,UpdateSecretVersionStage,RotateSecret,CancelRotateSecret,BatchGetSecretValue
