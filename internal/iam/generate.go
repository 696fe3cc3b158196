package iam

// The operations' inputs and outputs come from AWS's model of IAM (the
// awsQuery model Debian's python3-botocore ships). Enum members are plain
// strings, checked here with IAM's own errors.
//go:generate go run ../awsproto/shapegen -service iam -version 2010-05-08 -package iam -out zz_shapes.go -no-enums -ops AddRoleToInstanceProfile,AttachRolePolicy,AttachUserPolicy,CreateAccessKey,CreateInstanceProfile,CreatePolicy,CreatePolicyVersion,CreateRole,CreateUser,DeleteAccessKey,DeleteInstanceProfile,DeletePolicy,DeletePolicyVersion,DeleteRole,DeleteRolePolicy,DeleteUser,DeleteUserPolicy,DetachRolePolicy,DetachUserPolicy,GetInstanceProfile,GetPolicy,GetPolicyVersion,GetRole,GetRolePolicy,GetUser,GetUserPolicy,ListAccessKeys,ListAttachedRolePolicies,ListAttachedUserPolicies,ListEntitiesForPolicy,ListInstanceProfiles,ListInstanceProfilesForRole,ListPolicies,ListPolicyVersions,ListRolePolicies,ListRoleTags,ListRoles,ListUserPolicies,ListUsers,PutRolePolicy,PutUserPolicy,RemoveRoleFromInstanceProfile,SetDefaultPolicyVersion,TagRole,UntagRole,UpdateAccessKey,UpdateAssumeRolePolicy,UpdateRole,UpdateRoleDescription
