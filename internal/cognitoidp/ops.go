package cognitoidp

import "github.com/virga/virga/internal/awsproto"

// operations is Cognito user pools' operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "CreateUserPool", Handler: awsproto.Handle(s.createUserPool)},
		{Name: "DescribeUserPool", Handler: awsproto.Handle(s.describeUserPool)},
		{Name: "ListUserPools", Handler: awsproto.Handle(s.listUserPools)},
		{Name: "UpdateUserPool", Handler: awsproto.Handle(s.updateUserPool)},
		{Name: "DeleteUserPool", Handler: awsproto.Handle(s.deleteUserPool)},
		{Name: "CreateUserPoolClient", Handler: awsproto.Handle(s.createUserPoolClient)},
		{Name: "DescribeUserPoolClient", Handler: awsproto.Handle(s.describeUserPoolClient)},
		{Name: "ListUserPoolClients", Handler: awsproto.Handle(s.listUserPoolClients)},
		{Name: "UpdateUserPoolClient", Handler: awsproto.Handle(s.updateUserPoolClient)},
		{Name: "DeleteUserPoolClient", Handler: awsproto.Handle(s.deleteUserPoolClient)},
		{Name: "SignUp", Handler: awsproto.Handle(s.signUp), Anonymous: true},
		{Name: "ConfirmSignUp", Handler: awsproto.Handle(s.confirmSignUp), Anonymous: true},
		{Name: "ResendConfirmationCode", Handler: awsproto.Handle(s.resendConfirmationCode), Anonymous: true},
		{Name: "ForgotPassword", Handler: awsproto.Handle(s.forgotPassword), Anonymous: true},
		{Name: "ConfirmForgotPassword", Handler: awsproto.Handle(s.confirmForgotPassword), Anonymous: true},
		{Name: "AdminConfirmSignUp", Handler: awsproto.Handle(s.adminConfirmSignUp)},
		{Name: "AdminCreateUser", Handler: awsproto.Handle(s.adminCreateUser)},
		{Name: "AdminSetUserPassword", Handler: awsproto.Handle(s.adminSetUserPassword)},
		{Name: "AdminGetUser", Handler: awsproto.Handle(s.adminGetUser)},
		{Name: "AdminDeleteUser", Handler: awsproto.Handle(s.adminDeleteUser)},
		{Name: "AdminUpdateUserAttributes", Handler: awsproto.Handle(s.adminUpdateUserAttributes)},
		{Name: "UpdateUserAttributes", Handler: awsproto.Handle(s.updateUserAttributes), Anonymous: true},
		{Name: "DeleteUser", Handler: awsproto.Handle(s.deleteUser), Anonymous: true},
		{Name: "AdminResetUserPassword", Handler: awsproto.Handle(s.adminResetUserPassword)},
		{Name: "AdminDisableUser", Handler: awsproto.Handle(s.adminDisableUser)},
		{Name: "AdminEnableUser", Handler: awsproto.Handle(s.adminEnableUser)},
		{Name: "ListUsers", Handler: awsproto.Handle(s.listUsers)},
		{Name: "GetUser", Handler: awsproto.Handle(s.getUser), Anonymous: true},
		{Name: "CreateGroup", Handler: awsproto.Handle(s.createGroup)},
		{Name: "GetGroup", Handler: awsproto.Handle(s.getGroup)},
		{Name: "ListGroups", Handler: awsproto.Handle(s.listGroups)},
		{Name: "UpdateGroup", Handler: awsproto.Handle(s.updateGroup)},
		{Name: "DeleteGroup", Handler: awsproto.Handle(s.deleteGroup)},
		{Name: "AdminAddUserToGroup", Handler: awsproto.Handle(s.adminAddUserToGroup)},
		{Name: "AdminRemoveUserFromGroup", Handler: awsproto.Handle(s.adminRemoveUserFromGroup)},
		{Name: "AdminListGroupsForUser", Handler: awsproto.Handle(s.adminListGroupsForUser)},
		{Name: "ListUsersInGroup", Handler: awsproto.Handle(s.listUsersInGroup)},
		{Name: "InitiateAuth", Handler: awsproto.Handle(s.initiateAuth), Anonymous: true},
		{Name: "AdminInitiateAuth", Handler: awsproto.Handle(s.adminInitiateAuth)},
		{Name: "RespondToAuthChallenge", Handler: awsproto.Handle(s.respondToAuthChallenge), Anonymous: true},
		{Name: "AdminRespondToAuthChallenge", Handler: awsproto.Handle(s.adminRespondToAuthChallenge)},
		{Name: "GlobalSignOut", Handler: awsproto.Handle(s.globalSignOut), Anonymous: true},
		{Name: "AdminUserGlobalSignOut", Handler: awsproto.Handle(s.adminUserGlobalSignOut)},
		{Name: "RevokeToken", Handler: awsproto.Handle(s.revokeToken), Anonymous: true},
		{Name: "CreateUserPoolDomain", Handler: awsproto.Handle(s.createUserPoolDomain)},
		{Name: "DescribeUserPoolDomain", Handler: awsproto.Handle(s.describeUserPoolDomain)},
		{Name: "UpdateUserPoolDomain", Handler: awsproto.Handle(s.updateUserPoolDomain)},
		{Name: "DeleteUserPoolDomain", Handler: awsproto.Handle(s.deleteUserPoolDomain)},
		{Name: "CreateResourceServer", Handler: awsproto.Handle(s.createResourceServer)},
		{Name: "DescribeResourceServer", Handler: awsproto.Handle(s.describeResourceServer)},
		{Name: "ListResourceServers", Handler: awsproto.Handle(s.listResourceServers)},
		{Name: "UpdateResourceServer", Handler: awsproto.Handle(s.updateResourceServer)},
		{Name: "DeleteResourceServer", Handler: awsproto.Handle(s.deleteResourceServer)},
		{Name: "ChangePassword", Handler: awsproto.Handle(s.changePassword), Anonymous: true},
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
