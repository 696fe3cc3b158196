package kms

import "github.com/virga/virga/internal/awsproto"

// operations is KMS's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "CreateKey", Handler: awsproto.Handle(s.createKey)},
		{Name: "DescribeKey", Handler: awsproto.Handle(s.describeKey)},
		{Name: "ListKeys", Handler: awsproto.Handle(s.listKeys)},
		{Name: "EnableKey", Handler: awsproto.Handle(s.enableKey)},
		{Name: "DisableKey", Handler: awsproto.Handle(s.disableKey)},
		{Name: "ScheduleKeyDeletion", Handler: awsproto.Handle(s.scheduleKeyDeletion)},
		{Name: "CancelKeyDeletion", Handler: awsproto.Handle(s.cancelKeyDeletion)},
		{Name: "UpdateKeyDescription", Handler: awsproto.Handle(s.updateKeyDescription)},
		{Name: "GetKeyPolicy", Handler: awsproto.Handle(s.getKeyPolicy)},
		{Name: "PutKeyPolicy", Handler: awsproto.Handle(s.putKeyPolicy)},
		{Name: "ListKeyPolicies", Handler: awsproto.Handle(s.listKeyPolicies)},
		{Name: "EnableKeyRotation", Handler: awsproto.Handle(s.enableKeyRotation)},
		{Name: "DisableKeyRotation", Handler: awsproto.Handle(s.disableKeyRotation)},
		{Name: "GetKeyRotationStatus", Handler: awsproto.Handle(s.getKeyRotationStatus)},
		{Name: "RotateKeyOnDemand", Handler: awsproto.Handle(s.rotateKeyOnDemand)},
		{Name: "ListKeyRotations", Handler: awsproto.Handle(s.listKeyRotations)},
		{Name: "TagResource", Handler: awsproto.Handle(s.tagResource)},
		{Name: "UntagResource", Handler: awsproto.Handle(s.untagResource)},
		{Name: "ListResourceTags", Handler: awsproto.Handle(s.listResourceTags)},
		{Name: "CreateAlias", Handler: awsproto.Handle(s.createAlias)},
		{Name: "ListAliases", Handler: awsproto.Handle(s.listAliases)},
		{Name: "UpdateAlias", Handler: awsproto.Handle(s.updateAlias)},
		{Name: "DeleteAlias", Handler: awsproto.Handle(s.deleteAlias)},
		{Name: "Encrypt", Handler: awsproto.Handle(s.encrypt)},
		{Name: "Decrypt", Handler: awsproto.Handle(s.decrypt)},
		{Name: "ReEncrypt", Handler: awsproto.Handle(s.reEncrypt)},
		{Name: "GenerateDataKey", Handler: awsproto.Handle(s.generateDataKey)},
		{Name: "GenerateDataKeyWithoutPlaintext", Handler: awsproto.Handle(s.generateDataKeyWithoutPlaintext)},
		{Name: "GenerateDataKeyPair", Handler: awsproto.Handle(s.generateDataKeyPair)},
		{Name: "GenerateDataKeyPairWithoutPlaintext", Handler: awsproto.Handle(s.generateDataKeyPairWithoutPlaintext)},
		{Name: "GenerateRandom", Handler: awsproto.Handle(s.generateRandom)},
		{Name: "Sign", Handler: awsproto.Handle(s.sign)},
		{Name: "Verify", Handler: awsproto.Handle(s.verify)},
		{Name: "GetPublicKey", Handler: awsproto.Handle(s.getPublicKey)},
		{Name: "GenerateMac", Handler: awsproto.Handle(s.generateMac)},
		{Name: "VerifyMac", Handler: awsproto.Handle(s.verifyMac)},
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
