package secretsmanager

import "github.com/virga/virga/internal/awsproto"

// operations is Secrets Manager's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "CreateSecret", Handler: awsproto.Handle(s.createSecret)},
		{Name: "GetSecretValue", Handler: awsproto.Handle(s.getSecretValue)},
		{Name: "PutSecretValue", Handler: awsproto.Handle(s.putSecretValue)},
		{Name: "UpdateSecret", Handler: awsproto.Handle(s.updateSecret)},
		{Name: "DescribeSecret", Handler: awsproto.Handle(s.describeSecret)},
		{Name: "ListSecrets", Handler: awsproto.Handle(s.listSecrets)},
		{Name: "ListSecretVersionIds", Handler: awsproto.Handle(s.listSecretVersionIds)},
		{Name: "DeleteSecret", Handler: awsproto.Handle(s.deleteSecret)},
		{Name: "RestoreSecret", Handler: awsproto.Handle(s.restoreSecret)},
		{Name: "PutResourcePolicy", Handler: awsproto.Handle(s.putResourcePolicy)},
		{Name: "GetResourcePolicy", Handler: awsproto.Handle(s.getResourcePolicy)},
		{Name: "DeleteResourcePolicy", Handler: awsproto.Handle(s.deleteResourcePolicy)},
		{Name: "ValidateResourcePolicy", Handler: awsproto.Handle(s.validateResourcePolicy)},
		{Name: "TagResource", Handler: awsproto.Handle(s.tagResource)},
		{Name: "UntagResource", Handler: awsproto.Handle(s.untagResource)},
		{Name: "GetRandomPassword", Handler: awsproto.Handle(s.getRandomPassword)},
		{Name: "UpdateSecretVersionStage", Handler: awsproto.Handle(s.updateSecretVersionStage)},
		{Name: "RotateSecret", Handler: awsproto.Handle(s.rotateSecret)},
		{Name: "CancelRotateSecret", Handler: awsproto.Handle(s.cancelRotateSecret)},
		{Name: "BatchGetSecretValue", Handler: awsproto.Handle(s.batchGetSecretValue)},
	}
}

// noOutput is the output of operations whose model has none.
type noOutput struct{}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
