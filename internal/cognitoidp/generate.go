package cognitoidp

// The operations' inputs and outputs come from AWS's model of Amazon
// Cognito user pools (service cognito-idp).
//go:generate go run ../awsproto/shapegen -service cognito-idp -version 2016-04-18 -package cognitoidp -out zz_shapes.go -ops CreateUserPool,DescribeUserPool,ListUserPools,UpdateUserPool,DeleteUserPool,CreateUserPoolClient,DescribeUserPoolClient,ListUserPoolClients,DeleteUserPoolClient,SignUp,ConfirmSignUp,AdminConfirmSignUp,AdminCreateUser,AdminSetUserPassword,AdminGetUser,AdminDeleteUser,AdminUpdateUserAttributes,ListUsers,GetUser,CreateGroup,GetGroup,ListGroups,DeleteGroup,AdminAddUserToGroup,AdminRemoveUserFromGroup,AdminListGroupsForUser,ListUsersInGroup,AdminDisableUser,AdminEnableUser,InitiateAuth,AdminInitiateAuth,RespondToAuthChallenge,AdminRespondToAuthChallenge,GlobalSignOut,AdminUserGlobalSignOut,RevokeToken,ChangePassword,UpdateUserPoolClient,UpdateGroup,ForgotPassword,ConfirmForgotPassword,ResendConfirmationCode
