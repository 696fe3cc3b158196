package kms

// The operations' inputs and outputs come from AWS's model of KMS;
// model_overlay.json adds rotation periods, RotateKeyOnDemand and
// ListKeyRotations, which AWS introduced after the model Debian ships.
//go:generate go run ../awsproto/shapegen -service kms -version 2014-11-01 -package kms -overlay model_overlay.json -out zz_shapes.go -ops CreateKey,DescribeKey,ListKeys,EnableKey,DisableKey,ScheduleKeyDeletion,CancelKeyDeletion,UpdateKeyDescription,GetKeyPolicy,PutKeyPolicy,ListKeyPolicies,EnableKeyRotation,DisableKeyRotation,GetKeyRotationStatus,RotateKeyOnDemand,ListKeyRotations,TagResource,UntagResource,ListResourceTags,CreateAlias,ListAliases,UpdateAlias,DeleteAlias,Encrypt,Decrypt,ReEncrypt,GenerateDataKey,GenerateDataKeyWithoutPlaintext,GenerateDataKeyPair,GenerateDataKeyPairWithoutPlaintext,GenerateRandom,Sign,Verify,GetPublicKey,GenerateMac,VerifyMac
