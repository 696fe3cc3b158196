package cognitoidp

import (
	"context"
	"slices"
	"time"
)

// confirmationCodeLength: Cognito's verification codes are six digits.
const confirmationCodeLength = 6

func msTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// newUser makes a user of the pool from a name and attributes (the name
// becomes an attribute, and the user name the sub, in pools whose
// UsernameAttributes let users sign up with an email address or phone
// number).
func (s *Service) newUser(p *pool, name string, attrs []AttributeType) (*user, error) {
	if err := checkAttributes(p, attrs, true); err != nil {
		return nil, err
	}
	now := s.clock.Now().UnixMilli()
	u := &user{Username: userKeyName(p, name), Sub: s.ids.UUID(), Attributes: map[string]string{}, Enabled: true, Created: now, Modified: now}
	for _, a := range attrs {
		u.Attributes[deref(a.Name)] = deref(a.Value)
	}
	if len(p.Config.UsernameAttributes) > 0 {
		attr := usernameAttribute(p, name)
		if attr == "" {
			if slices.Contains(p.Config.UsernameAttributes, "email") {
				return nil, ErrInvalidParameter.WithMessage("Username should be an email.")
			}
			return nil, ErrInvalidParameter.WithMessage("Username should be a phone number.")
		}
		u.Attributes[attr] = name
		u.Username = u.Sub
	}
	u.Attributes["sub"] = u.Sub
	if err := checkRequired(p, u); err != nil {
		return nil, err
	}
	// The name, and any sign-in alias, must be free.
	if old, err := s.findUser(p, name); err != nil || old != nil {
		if err != nil {
			return nil, err
		}
		if attr := usernameAttribute(p, name); attr == "email" {
			return nil, ErrUsernameExists.WithMessage("An account with the given email already exists.")
		} else if attr == "phone_number" {
			return nil, ErrUsernameExists.WithMessage("An account with the given phone_number already exists.")
		}
		return nil, ErrUsernameExists
	}
	return u, nil
}

func (s *Service) signUp(ctx context.Context, in *SignUpRequest) (*SignUpResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, c, err := s.clientByID(deref(in.ClientId))
	if err != nil {
		return nil, err
	}
	name := deref(in.Username)
	if err := checkSecretHash(&c.Config, name, deref(in.SecretHash)); err != nil {
		return nil, err
	}
	if deref(p.Config.AdminCreateUserConfig.AllowAdminCreateUserOnly) {
		return nil, ErrNotAuthorized.WithMessage("SignUp is not permitted for this user pool")
	}
	if err := checkPassword(p.Config.Policies.PasswordPolicy, deref(in.Password)); err != nil {
		return nil, err
	}
	u, err := s.newUser(p, name, in.UserAttributes)
	if err != nil {
		return nil, err
	}
	if err := s.setPassword(p, u, deref(in.Password)); err != nil {
		return nil, err
	}
	u.Status = statusUnconfirmed
	if fn := deref(p.Config.LambdaConfig.PreSignUp); fn != "" {
		validation := map[string]any{}
		for _, a := range in.ValidationData {
			validation[deref(a.Name)] = deref(a.Value)
		}
		attrs := map[string]any{}
		for k, v := range u.Attributes {
			attrs[k] = v
		}
		resp, err := s.trigger(ctx, p, "PreSignUp", fn, "PreSignUp_SignUp", u.Username, deref(c.Config.ClientId),
			map[string]any{"userAttributes": attrs, "validationData": validation, "clientMetadata": in.ClientMetadata})
		if err != nil {
			return nil, err
		}
		// The lock was released while the function ran.
		if old, err := s.findUser(p, u.Username); err != nil || old != nil {
			if err == nil {
				err = ErrUsernameExists
			}
			return nil, err
		}
		if flagOf(resp, "autoVerifyEmail") && u.Attributes["email"] != "" {
			u.Attributes["email_verified"] = "true"
		}
		if flagOf(resp, "autoVerifyPhone") && u.Attributes["phone_number"] != "" {
			u.Attributes["phone_number_verified"] = "true"
		}
		if flagOf(resp, "autoConfirmUser") {
			u.Status = statusConfirmed
			return &SignUpResponse{UserConfirmed: ptr(true), UserSub: ptr(u.Sub)}, s.saveUser(deref(p.Config.Id), u)
		}
	}
	u.Code = s.randomString(confirmationCodeLength, digits)
	out := &SignUpResponse{UserConfirmed: ptr(false), UserSub: ptr(u.Sub)}
	if d := s.delivery(p, u); d != nil {
		out.CodeDeliveryDetails = d
	}
	s.log.Info("cognito-idp: confirmation code (no message is sent; confirm with ConfirmSignUp or AdminConfirmSignUp)",
		"userPoolId", deref(p.Config.Id), "username", u.Username, "code", u.Code)
	return out, s.saveUser(deref(p.Config.Id), u)
}

// delivery says where a code would go: the first auto-verified
// attribute the user has, masked as Cognito masks it.
func (s *Service) delivery(p *pool, u *user) *CodeDeliveryDetailsType {
	for _, a := range p.Config.AutoVerifiedAttributes {
		v := u.Attributes[string(a)]
		if v == "" {
			continue
		}
		medium := DeliveryMediumType("EMAIL")
		if a == "phone_number" {
			medium = "SMS"
		}
		return &CodeDeliveryDetailsType{Destination: ptr(mask(v)), DeliveryMedium: &medium, AttributeName: ptr(string(a))}
	}
	return nil
}

// mask hides all but the first character of each part of an address:
// a***@e***.
func mask(v string) string {
	if at := indexByte(v, '@'); at > 0 {
		return v[:1] + "***@" + v[at+1:at+2] + "***"
	}
	if len(v) > 4 {
		return "+*******" + v[len(v)-4:]
	}
	return "***"
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// confirm makes an unconfirmed user confirmed, verifying the attribute
// the code went to.
func confirm(p *pool, u *user) {
	u.Status, u.Code = statusConfirmed, ""
	for _, a := range p.Config.AutoVerifiedAttributes {
		if u.Attributes[string(a)] != "" {
			u.Attributes[string(a)+"_verified"] = "true"
		}
	}
}

func (s *Service) confirmSignUp(ctx context.Context, in *ConfirmSignUpRequest) (*ConfirmSignUpResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, c, err := s.clientByID(deref(in.ClientId))
	if err != nil {
		return nil, err
	}
	if err := checkSecretHash(&c.Config, deref(in.Username), deref(in.SecretHash)); err != nil {
		return nil, err
	}
	u, err := s.mustFindUser(p, deref(in.Username))
	if err != nil {
		return nil, err
	}
	if u.Status != statusUnconfirmed {
		return nil, ErrNotAuthorized.WithMessage("User cannot be confirmed. Current status is " + u.Status)
	}
	if u.Code == "" || deref(in.ConfirmationCode) != u.Code {
		return nil, ErrCodeMismatch
	}
	confirm(p, u)
	u.Modified = s.clock.Now().UnixMilli()
	if err := s.saveUser(deref(p.Config.Id), u); err != nil {
		return nil, err
	}
	return &ConfirmSignUpResponse{}, s.postConfirmation(ctx, p, u, deref(c.Config.ClientId), "PostConfirmation_ConfirmSignUp", in.ClientMetadata)
}

func (s *Service) adminConfirmSignUp(ctx context.Context, in *AdminConfirmSignUpRequest) (*AdminConfirmSignUpResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, err := s.poolUser(deref(in.UserPoolId), deref(in.Username))
	if err != nil {
		return nil, err
	}
	if u.Status != statusUnconfirmed {
		return nil, ErrNotAuthorized.WithMessage("User cannot be confirmed. Current status is " + u.Status)
	}
	confirm(p, u)
	u.Modified = s.clock.Now().UnixMilli()
	if err := s.saveUser(deref(p.Config.Id), u); err != nil {
		return nil, err
	}
	return &AdminConfirmSignUpResponse{}, s.postConfirmation(ctx, p, u, "", "PostConfirmation_ConfirmSignUp", in.ClientMetadata)
}

// poolUser loads a pool and one of its users.
func (s *Service) poolUser(poolID, name string) (*pool, *user, error) {
	p, err := s.loadPool(poolID)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.mustFindUser(p, name)
	return p, u, err
}

func (s *Service) adminCreateUser(_ context.Context, in *AdminCreateUserRequest) (*AdminCreateUserResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.loadPool(deref(in.UserPoolId))
	if err != nil {
		return nil, err
	}
	pp := p.Config.Policies.PasswordPolicy
	name := deref(in.Username)
	var u *user
	if deref(in.MessageAction) == "RESEND" {
		if u, err = s.mustFindUser(p, name); err != nil {
			return nil, err
		}
		if u.Status != statusForceChange {
			return nil, ErrUnsupportedOperation.WithMessage("Resend not possible. " + name + " status is not FORCE_CHANGE_PASSWORD")
		}
	} else if u, err = s.newUser(p, name, in.UserAttributes); err != nil {
		return nil, err
	}
	pw := deref(in.TemporaryPassword)
	if pw != "" {
		if err := checkPassword(pp, pw); err != nil {
			return nil, err
		}
	} else {
		pw = s.temporaryPassword(pp)
		if deref(in.MessageAction) != "SUPPRESS" {
			s.log.Info("cognito-idp: temporary password (no message is sent)", "userPoolId", deref(p.Config.Id),
				"username", u.Username, "temporaryPassword", pw)
		}
	}
	if err := s.setPassword(p, u, pw); err != nil {
		return nil, err
	}
	u.Status = statusForceChange
	days := int(deref(pp.TemporaryPasswordValidityDays))
	if days == 0 {
		days = defaultTemporaryPasswordDays
	}
	u.TemporaryUntil = s.clock.Now().Add(time.Duration(days) * 24 * time.Hour).UnixMilli()
	u.Modified = s.clock.Now().UnixMilli()
	ut := s.userType(u, nil)
	return &AdminCreateUserResponse{User: &ut}, s.saveUser(deref(p.Config.Id), u)
}

// temporaryPassword makes a password that meets the policy.
func (s *Service) temporaryPassword(pp *PasswordPolicyType) string {
	n := max(int(deref(pp.MinimumLength)), 8)
	return s.randomString(1, "ABCDEFGHJKLMNPQRSTUVWXYZ") + s.randomString(1, "abcdefghijkmnpqrstuvwxyz") +
		s.randomString(1, digits) + s.randomString(1, "^$*.!@#%&") + s.randomString(n-4, alnum)
}

func (s *Service) adminSetUserPassword(_ context.Context, in *AdminSetUserPasswordRequest) (*AdminSetUserPasswordResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, err := s.poolUser(deref(in.UserPoolId), deref(in.Username))
	if err != nil {
		return nil, err
	}
	pw := deref(in.Password)
	if err := checkPassword(p.Config.Policies.PasswordPolicy, pw); err != nil {
		return nil, err
	}
	if err := s.setPassword(p, u, pw); err != nil {
		return nil, err
	}
	if deref(in.Permanent) {
		u.Status, u.TemporaryUntil, u.Code = statusConfirmed, 0, ""
	} else {
		u.Status = statusForceChange
		days := int(deref(p.Config.Policies.PasswordPolicy.TemporaryPasswordValidityDays))
		u.TemporaryUntil = s.clock.Now().Add(time.Duration(max(days, 1)) * 24 * time.Hour).UnixMilli()
	}
	u.Modified = s.clock.Now().UnixMilli()
	return &AdminSetUserPasswordResponse{}, s.saveUser(deref(p.Config.Id), u)
}

func (s *Service) adminGetUser(_ context.Context, in *AdminGetUserRequest) (*AdminGetUserResponse, error) {
	_, u, err := s.poolUser(deref(in.UserPoolId), deref(in.Username))
	if err != nil {
		return nil, err
	}
	ut := s.userType(u, nil)
	return &AdminGetUserResponse{Username: ut.Username, UserAttributes: ut.Attributes, UserCreateDate: ut.UserCreateDate,
		UserLastModifiedDate: ut.UserLastModifiedDate, Enabled: ut.Enabled, UserStatus: ut.UserStatus}, nil
}

func (s *Service) adminDeleteUser(_ context.Context, in *AdminDeleteUserRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, err := s.poolUser(deref(in.UserPoolId), deref(in.Username))
	if err != nil {
		return nil, err
	}
	return &noOutput{}, s.put(nil, userKey(deref(p.Config.Id), u.Username))
}

func (s *Service) adminUpdateUserAttributes(_ context.Context, in *AdminUpdateUserAttributesRequest) (*AdminUpdateUserAttributesResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, err := s.poolUser(deref(in.UserPoolId), deref(in.Username))
	if err != nil {
		return nil, err
	}
	if err := s.updateAttributes(p, u, in.UserAttributes); err != nil {
		return nil, err
	}
	return &AdminUpdateUserAttributesResponse{}, nil
}

// updateUserAttributes is a user changing their own attributes, those
// their app client may write (WriteAttributes, when it names any).
func (s *Service) updateUserAttributes(_ context.Context, in *UpdateUserAttributesRequest) (*UpdateUserAttributesResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, claims, err := s.accessTokenUser(deref(in.AccessToken))
	if err != nil {
		return nil, err
	}
	clientID, _ := claims["client_id"].(string)
	if c, err := s.loadClient(deref(p.Config.Id), clientID); err == nil && len(c.Config.WriteAttributes) > 0 {
		for _, a := range in.UserAttributes {
			if !slices.Contains(c.Config.WriteAttributes, deref(a.Name)) {
				return nil, ErrNotAuthorized.WithMessage("A client attempted to write unauthorized attribute")
			}
		}
	}
	if err := s.updateAttributes(p, u, in.UserAttributes); err != nil {
		return nil, err
	}
	return &UpdateUserAttributesResponse{CodeDeliveryDetailsList: []CodeDeliveryDetailsType{}}, nil
}

// updateAttributes sets (or, when empty, removes) attributes of a user.
func (s *Service) updateAttributes(p *pool, u *user, attrs []AttributeType) error {
	if err := checkAttributes(p, attrs, false); err != nil {
		return err
	}
	given := map[string]bool{}
	for _, a := range attrs {
		given[deref(a.Name)] = true
	}
	for _, a := range attrs {
		name, v := deref(a.Name), deref(a.Value)
		// A changed email address or phone number is unverified unless
		// the request verifies it too.
		if (name == "email" || name == "phone_number") && u.Attributes[name] != v && !given[name+"_verified"] {
			u.Attributes[name+"_verified"] = "false"
		}
		if v == "" {
			delete(u.Attributes, name)
		} else {
			u.Attributes[name] = v
		}
	}
	u.Modified = s.clock.Now().UnixMilli()
	return s.saveUser(deref(p.Config.Id), u)
}

// deleteUser is a user deleting themselves; their sessions end.
func (s *Service) deleteUser(_ context.Context, in *DeleteUserRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, _, err := s.accessTokenUser(deref(in.AccessToken))
	if err != nil {
		return nil, err
	}
	poolID := deref(p.Config.Id)
	if err := s.revokeSessions(poolID, u, ""); err != nil {
		return nil, err
	}
	return &noOutput{}, s.put(nil, userKey(poolID, u.Username))
}

// adminResetUserPassword makes the user's password unusable: sign-in
// answers PasswordResetRequiredException until ConfirmForgotPassword
// sets a new one with the code (logged and listed, as virga sends none).
func (s *Service) adminResetUserPassword(_ context.Context, in *AdminResetUserPasswordRequest) (*AdminResetUserPasswordResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, err := s.poolUser(deref(in.UserPoolId), deref(in.Username))
	if err != nil {
		return nil, err
	}
	u.Status = statusResetRequired
	u.ResetCode = s.randomString(confirmationCodeLength, digits)
	u.ResetUntil = s.clock.Now().Add(resetCodeValidity).UnixMilli()
	u.Modified = s.clock.Now().UnixMilli()
	s.log.Info("cognito-idp: password reset code (no message is sent; use it with ConfirmForgotPassword)",
		"userPoolId", deref(p.Config.Id), "username", u.Username, "code", u.ResetCode)
	return &AdminResetUserPasswordResponse{}, s.saveUser(deref(p.Config.Id), u)
}

func (s *Service) setEnabled(poolID, name string, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, err := s.poolUser(poolID, name)
	if err != nil {
		return err
	}
	u.Enabled = on
	u.Modified = s.clock.Now().UnixMilli()
	return s.saveUser(deref(p.Config.Id), u)
}

func (s *Service) adminDisableUser(_ context.Context, in *AdminDisableUserRequest) (*AdminDisableUserResponse, error) {
	return &AdminDisableUserResponse{}, s.setEnabled(deref(in.UserPoolId), deref(in.Username), false)
}

func (s *Service) adminEnableUser(_ context.Context, in *AdminEnableUserRequest) (*AdminEnableUserResponse, error) {
	return &AdminEnableUserResponse{}, s.setEnabled(deref(in.UserPoolId), deref(in.Username), true)
}

// listUsersMax is ListUsers' largest page (Limit's maximum).
const listUsersMax = 60

func (s *Service) listUsers(_ context.Context, in *ListUsersRequest) (*ListUsersResponse, error) {
	poolID := deref(in.UserPoolId)
	if _, err := s.loadPool(poolID); err != nil {
		return nil, err
	}
	f, err := parseFilter(deref(in.Filter))
	if err != nil {
		return nil, err
	}
	users, err := list[user](s, poolPrefix("user", poolID))
	if err != nil {
		return nil, err
	}
	var matched []*user
	var names []string
	for _, u := range users {
		if f.matches(u) {
			matched = append(matched, u)
			names = append(names, u.Username)
		}
	}
	from, to, next, err := page(names, deref(in.PaginationToken), int(deref(in.Limit)), listUsersMax)
	if err != nil {
		return nil, err
	}
	out := &ListUsersResponse{Users: []UserType{}, PaginationToken: next}
	for _, u := range matched[from:to] {
		out.Users = append(out.Users, s.userType(u, in.AttributesToGet))
	}
	return out, nil
}

func (s *Service) getUser(_ context.Context, in *GetUserRequest) (*GetUserResponse, error) {
	_, u, _, err := s.accessTokenUser(deref(in.AccessToken))
	if err != nil {
		return nil, err
	}
	return &GetUserResponse{Username: ptr(u.Username), UserAttributes: u.attributeList(nil)}, nil
}

// UserCode is a user and the confirmation code SignUp issued, for
// virga's own endpoint that stands in for the message AWS would send.
type UserCode struct {
	Username         string `json:"username"`
	Status           string `json:"status"`
	ConfirmationCode string `json:"confirmationCode,omitempty"`
	// PasswordResetCode is the code ForgotPassword issued, if any.
	PasswordResetCode string `json:"passwordResetCode,omitempty"`
}

// Codes lists a pool's users with their pending confirmation and
// password reset codes.
func (s *Service) Codes(poolID string) ([]UserCode, error) {
	if _, err := s.loadPool(poolID); err != nil {
		return nil, err
	}
	users, err := list[user](s, poolPrefix("user", poolID))
	if err != nil {
		return nil, err
	}
	out := []UserCode{}
	for _, u := range users {
		out = append(out, UserCode{Username: u.Username, Status: u.Status, ConfirmationCode: u.Code, PasswordResetCode: u.ResetCode})
	}
	return out, nil
}

// postConfirmation runs the PostConfirmation trigger for a user just
// confirmed; the confirmation stands if it fails, as on AWS.
func (s *Service) postConfirmation(ctx context.Context, p *pool, u *user, clientID, source string, metadata map[string]string) error {
	fn := deref(p.Config.LambdaConfig.PostConfirmation)
	if fn == "" {
		return nil
	}
	_, err := s.trigger(ctx, p, "PostConfirmation", fn, source, u.Username, clientID,
		map[string]any{"userAttributes": triggerAttributes(u), "clientMetadata": metadata})
	return err
}
