package kms

// The operations' inputs and outputs come from AWS's model of KMS.
//go:generate go run ../awsproto/shapegen -service kms -version 2014-11-01 -package kms -out zz_shapes.go -ops CreateKey,DescribeKey,ListKeys,EnableKey,DisableKey,ScheduleKeyDeletion,CancelKeyDeletion,UpdateKeyDescription,GetKeyPolicy,PutKeyPolicy,ListKeyPolicies,EnableKeyRotation,DisableKeyRotation,GetKeyRotationStatus,TagResource,UntagResource,ListResourceTags,CreateAlias,ListAliases,UpdateAlias,DeleteAlias,Encrypt,Decrypt,ReEncrypt,GenerateDataKey,GenerateDataKeyWithoutPlaintext,GenerateDataKeyPair,GenerateDataKeyPairWithoutPlaintext,GenerateRandom,Sign,Verify,GetPublicKey,GenerateMac,VerifyMac
