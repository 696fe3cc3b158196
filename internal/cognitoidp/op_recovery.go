package cognitoidp

import (
	"context"
	"time"
)

// resetCodeValidity: a password reset code is valid for one hour, as
// "Recovering user accounts" says.
const resetCodeValidity = time.Hour

// verifiedDelivery is where a reset code would go: a verified email
// address or phone number (AccountRecoverySetting's order is not
// followed; email first).
func verifiedDelivery(u *user) *CodeDeliveryDetailsType {
	for _, a := range []string{"email", "phone_number"} {
		if v := u.Attributes[a]; v != "" && u.Attributes[a+"_verified"] == "true" {
			medium := DeliveryMediumType("EMAIL")
			if a == "phone_number" {
				medium = "SMS"
			}
			return &CodeDeliveryDetailsType{Destination: ptr(mask(v)), DeliveryMedium: &medium, AttributeName: ptr(a)}
		}
	}
	return nil
}

// userForClient finds the user a self-service request names, checking
// the client's secret hash; a missing user is UserNotFoundException
// unless the client prevents user existence errors.
func (s *Service) userForClient(clientID, name, hash string) (*pool, *client, *user, error) {
	p, c, err := s.clientByID(clientID)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := checkSecretHash(&c.Config, name, hash); err != nil {
		return nil, nil, nil, err
	}
	u, err := s.mustFindUser(p, name)
	if err != nil {
		return nil, nil, nil, err
	}
	return p, c, u, nil
}

func (s *Service) forgotPassword(_ context.Context, in *ForgotPasswordRequest) (*ForgotPasswordResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, _, u, err := s.userForClient(deref(in.ClientId), deref(in.Username), deref(in.SecretHash))
	if err != nil {
		return nil, err
	}
	if !u.Enabled {
		return nil, ErrNotAuthorized.WithMessage(msgUserDisabled)
	}
	d := verifiedDelivery(u)
	if d == nil {
		return nil, ErrInvalidParameter.WithMessage("Cannot reset password for the user as there is no registered/verified email or phone_number")
	}
	u.ResetCode = s.randomString(confirmationCodeLength, digits)
	u.ResetUntil = s.clock.Now().Add(resetCodeValidity).UnixMilli()
	s.log.Info("cognito-idp: password reset code (no message is sent; use it with ConfirmForgotPassword)",
		"userPoolId", deref(p.Config.Id), "username", u.Username, "code", u.ResetCode)
	return &ForgotPasswordResponse{CodeDeliveryDetails: d}, s.saveUser(deref(p.Config.Id), u)
}

func (s *Service) confirmForgotPassword(ctx context.Context, in *ConfirmForgotPasswordRequest) (*ConfirmForgotPasswordResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, _, u, err := s.userForClient(deref(in.ClientId), deref(in.Username), deref(in.SecretHash))
	if err != nil {
		return nil, err
	}
	if u.ResetCode == "" || deref(in.ConfirmationCode) != u.ResetCode {
		return nil, ErrCodeMismatch
	}
	if s.clock.Now().UnixMilli() >= u.ResetUntil {
		return nil, ErrExpiredCode
	}
	pw := deref(in.Password)
	if err := checkPassword(p.Config.Policies.PasswordPolicy, pw); err != nil {
		return nil, err
	}
	if err := s.setPassword(p, u, pw); err != nil {
		return nil, err
	}
	u.ResetCode, u.ResetUntil = "", 0
	if u.Status == statusResetRequired || u.Status == statusForceChange {
		u.Status, u.TemporaryUntil = statusConfirmed, 0
	}
	u.Modified = s.clock.Now().UnixMilli()
	if err := s.saveUser(deref(p.Config.Id), u); err != nil {
		return nil, err
	}
	return &ConfirmForgotPasswordResponse{}, s.postConfirmation(ctx, p, u, deref(in.ClientId), "PostConfirmation_ConfirmForgotPassword", in.ClientMetadata)
}

func (s *Service) resendConfirmationCode(_ context.Context, in *ResendConfirmationCodeRequest) (*ResendConfirmationCodeResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, _, u, err := s.userForClient(deref(in.ClientId), deref(in.Username), deref(in.SecretHash))
	if err != nil {
		return nil, err
	}
	if u.Status != statusUnconfirmed {
		return nil, ErrInvalidParameter.WithMessage("User is already confirmed.")
	}
	u.Code = s.randomString(confirmationCodeLength, digits)
	s.log.Info("cognito-idp: confirmation code (no message is sent; confirm with ConfirmSignUp or AdminConfirmSignUp)",
		"userPoolId", deref(p.Config.Id), "username", u.Username, "code", u.Code)
	return &ResendConfirmationCodeResponse{CodeDeliveryDetails: s.delivery(p, u)}, s.saveUser(deref(p.Config.Id), u)
}
