package sts

// The operations' inputs and outputs come from AWS's model of STS.
//go:generate go run ../awsproto/shapegen -service sts -version 2011-06-15 -package sts -out zz_shapes.go -ops AssumeRole,AssumeRoleWithWebIdentity,DecodeAuthorizationMessage,GetAccessKeyInfo,GetCallerIdentity,GetFederationToken,GetSessionToken
