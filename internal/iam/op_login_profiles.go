package iam

import (
	"context"
	"time"
)

// loginRecord is a user's login profile: that it has a console password,
// not the password. virga has no console sign-in, so the password is
// checked against IAM's constraints and then forgotten; only whether the
// user must reset it is kept.
type loginRecord struct {
	Created       time.Time `json:"created"`
	ResetRequired bool      `json:"resetRequired,omitempty"`
}

func noSuchLoginProfile(user string) error {
	return ErrNoSuchEntity.Withf("Login Profile for User %s cannot be found.", user)
}

func loginProfileOut(u *userRecord) *LoginProfile {
	return &LoginProfile{UserName: ptr(u.Name), CreateDate: ptr(u.Login.Created),
		PasswordResetRequired: ptr(u.Login.ResetRequired)}
}

func (s *Service) createLoginProfile(ctx context.Context, in *CreateLoginProfileRequest) (*CreateLoginProfileResponse, error) {
	u, err := s.updateUserWith(*in.UserName, func(u *userRecord) error {
		if u.Login != nil {
			return ErrEntityAlreadyExists.Withf("Login Profile for user %s already exists.", u.Name)
		}
		u.Login = &loginRecord{Created: s.clock.Now().UTC().Truncate(time.Second),
			ResetRequired: in.PasswordResetRequired != nil && *in.PasswordResetRequired}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &CreateLoginProfileResponse{LoginProfile: loginProfileOut(u)}, nil
}

func (s *Service) getLoginProfile(ctx context.Context, in *GetLoginProfileRequest) (*GetLoginProfileResponse, error) {
	u, err := s.user(*in.UserName)
	if err != nil {
		return nil, err
	}
	if u.Login == nil {
		return nil, noSuchLoginProfile(u.Name)
	}
	return &GetLoginProfileResponse{LoginProfile: loginProfileOut(u)}, nil
}

func (s *Service) updateLoginProfile(ctx context.Context, in *UpdateLoginProfileRequest) (*noOutput, error) {
	_, err := s.updateUserWith(*in.UserName, func(u *userRecord) error {
		if u.Login == nil {
			return noSuchLoginProfile(u.Name)
		}
		if in.PasswordResetRequired != nil {
			u.Login.ResetRequired = *in.PasswordResetRequired
		}
		return nil
	})
	return nil, err
}

func (s *Service) deleteLoginProfile(ctx context.Context, in *DeleteLoginProfileRequest) (*noOutput, error) {
	_, err := s.updateUserWith(*in.UserName, func(u *userRecord) error {
		if u.Login == nil {
			return noSuchLoginProfile(u.Name)
		}
		u.Login = nil
		return nil
	})
	return nil, err
}
