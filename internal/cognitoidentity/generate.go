package cognitoidentity

// The operations' inputs and outputs come from AWS's model of Amazon
// Cognito identity pools (service cognito-identity).
//go:generate go run ../awsproto/shapegen -service cognito-identity -version 2014-06-30 -package cognitoidentity -out zz_shapes.go -ops CreateIdentityPool,DescribeIdentityPool,UpdateIdentityPool,DeleteIdentityPool,ListIdentityPools,SetIdentityPoolRoles,GetIdentityPoolRoles,GetId,GetCredentialsForIdentity,GetOpenIdToken,ListIdentities,DescribeIdentity,DeleteIdentities,TagResource,UntagResource,ListTagsForResource
