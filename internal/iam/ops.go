package iam

import "github.com/virga/virga/internal/awsproto"

// operations is IAM's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		// Roles.
		{Name: "CreateRole", Handler: awsproto.Handle(s.createRole)},
		{Name: "GetRole", Handler: awsproto.Handle(s.getRole)},
		{Name: "ListRoles", Handler: awsproto.Handle(s.listRoles)},
		{Name: "DeleteRole", Handler: awsproto.Handle(s.deleteRole)},
		{Name: "UpdateRole", Handler: awsproto.Handle(s.updateRole)},
		{Name: "UpdateRoleDescription", Handler: awsproto.Handle(s.updateRoleDescription)},
		{Name: "UpdateAssumeRolePolicy", Handler: awsproto.Handle(s.updateAssumeRolePolicy)},
		{Name: "TagRole", Handler: awsproto.Handle(s.tagRole)},
		{Name: "UntagRole", Handler: awsproto.Handle(s.untagRole)},
		{Name: "ListRoleTags", Handler: awsproto.Handle(s.listRoleTags)},
		// Inline policies.
		{Name: "PutRolePolicy", Handler: awsproto.Handle(s.putRolePolicy)},
		{Name: "GetRolePolicy", Handler: awsproto.Handle(s.getRolePolicy)},
		{Name: "DeleteRolePolicy", Handler: awsproto.Handle(s.deleteRolePolicy)},
		{Name: "ListRolePolicies", Handler: awsproto.Handle(s.listRolePolicies)},
		{Name: "PutUserPolicy", Handler: awsproto.Handle(s.putUserPolicy)},
		{Name: "GetUserPolicy", Handler: awsproto.Handle(s.getUserPolicy)},
		{Name: "DeleteUserPolicy", Handler: awsproto.Handle(s.deleteUserPolicy)},
		{Name: "ListUserPolicies", Handler: awsproto.Handle(s.listUserPolicies)},
		// Managed policies.
		{Name: "CreatePolicy", Handler: awsproto.Handle(s.createPolicy)},
		{Name: "GetPolicy", Handler: awsproto.Handle(s.getPolicy)},
		{Name: "DeletePolicy", Handler: awsproto.Handle(s.deletePolicy)},
		{Name: "ListPolicies", Handler: awsproto.Handle(s.listPolicies)},
		{Name: "CreatePolicyVersion", Handler: awsproto.Handle(s.createPolicyVersion)},
		{Name: "GetPolicyVersion", Handler: awsproto.Handle(s.getPolicyVersion)},
		{Name: "ListPolicyVersions", Handler: awsproto.Handle(s.listPolicyVersions)},
		{Name: "DeletePolicyVersion", Handler: awsproto.Handle(s.deletePolicyVersion)},
		{Name: "SetDefaultPolicyVersion", Handler: awsproto.Handle(s.setDefaultPolicyVersion)},
		{Name: "AttachRolePolicy", Handler: awsproto.Handle(s.attachRolePolicy)},
		{Name: "DetachRolePolicy", Handler: awsproto.Handle(s.detachRolePolicy)},
		{Name: "ListAttachedRolePolicies", Handler: awsproto.Handle(s.listAttachedRolePolicies)},
		{Name: "AttachUserPolicy", Handler: awsproto.Handle(s.attachUserPolicy)},
		{Name: "DetachUserPolicy", Handler: awsproto.Handle(s.detachUserPolicy)},
		{Name: "ListAttachedUserPolicies", Handler: awsproto.Handle(s.listAttachedUserPolicies)},
		{Name: "ListEntitiesForPolicy", Handler: awsproto.Handle(s.listEntitiesForPolicy)},
		// Users and access keys.
		{Name: "CreateUser", Handler: awsproto.Handle(s.createUser)},
		{Name: "GetUser", Handler: awsproto.Handle(s.getUser)},
		{Name: "ListUsers", Handler: awsproto.Handle(s.listUsers)},
		{Name: "DeleteUser", Handler: awsproto.Handle(s.deleteUser)},
		{Name: "CreateAccessKey", Handler: awsproto.Handle(s.createAccessKey)},
		{Name: "ListAccessKeys", Handler: awsproto.Handle(s.listAccessKeys)},
		{Name: "UpdateAccessKey", Handler: awsproto.Handle(s.updateAccessKey)},
		{Name: "DeleteAccessKey", Handler: awsproto.Handle(s.deleteAccessKey)},
		// Instance profiles.
		{Name: "CreateInstanceProfile", Handler: awsproto.Handle(s.createInstanceProfile)},
		{Name: "GetInstanceProfile", Handler: awsproto.Handle(s.getInstanceProfile)},
		{Name: "DeleteInstanceProfile", Handler: awsproto.Handle(s.deleteInstanceProfile)},
		{Name: "ListInstanceProfiles", Handler: awsproto.Handle(s.listInstanceProfiles)},
		{Name: "ListInstanceProfilesForRole", Handler: awsproto.Handle(s.listInstanceProfilesForRole)},
		{Name: "AddRoleToInstanceProfile", Handler: awsproto.Handle(s.addRoleToInstanceProfile)},
		{Name: "RemoveRoleFromInstanceProfile", Handler: awsproto.Handle(s.removeRoleFromInstanceProfile)},
	}
}
