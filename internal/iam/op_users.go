package iam

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// maxAccessKeys is how many access keys a user may have ("Access keys
// assigned to an IAM user: 2").
const maxAccessKeys = 2

func (s *Service) userOut(u *userRecord, withTags bool) User {
	out := User{
		Path:       ptr(u.Path),
		UserName:   ptr(u.Name),
		UserId:     ptr(u.ID),
		Arn:        ptr(s.arn("user", u.Path, u.Name)),
		CreateDate: ptr(u.Created),
	}
	if u.Boundary != "" {
		out.PermissionsBoundary = &AttachedPermissionsBoundary{
			PermissionsBoundaryType: ptr("Policy"), PermissionsBoundaryArn: ptr(u.Boundary)}
	}
	if withTags {
		out.Tags = tagsOut(u.Tags)
	}
	return out
}

func (s *Service) createUser(ctx context.Context, in *CreateUserRequest) (*CreateUserResponse, error) {
	if len(in.Tags) > maxTagsPerEntity {
		return nil, tooManyTags()
	}
	u := &userRecord{
		Name:     *in.UserName,
		Path:     pathOr(in.Path),
		ID:       s.ids.UniqueID(userPrefix),
		Created:  s.clock.Now().UTC().Truncate(1e9),
		Boundary: deref(in.PermissionsBoundary),
		Tags:     mergeTags(nil, in.Tags),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.Boundary != "" {
		if err := s.checkBoundary(u.Boundary); err != nil {
			return nil, err
		}
	}
	var have userRecord
	if ok, err := s.get(kindUser, u.Name, &have); err != nil {
		return nil, err
	} else if ok {
		return nil, ErrEntityAlreadyExists.Withf("User with name %s already exists.", u.Name)
	}
	if err := s.commit(new(change).put(kindUser, u.Name, u)); err != nil {
		return nil, err
	}
	out := s.userOut(u, true)
	return &CreateUserResponse{User: &out}, nil
}

// getUser answers for the named user, or, without a name, for the
// caller: the IAM user its access key belongs to, or the account's root
// user for any other long-term key.
func (s *Service) getUser(ctx context.Context, in *GetUserRequest) (*GetUserResponse, error) {
	name := deref(in.UserName)
	if name == "" {
		var caller awsproto.Caller
		if call := awsproto.CallFrom(ctx); call != nil {
			caller = call.Caller
		}
		if owner, err := s.keyOwner(caller.AccessKeyID); err != nil {
			return nil, err
		} else if owner != "" {
			name = owner
		} else {
			if strings.Contains(caller.ARN, ":assumed-role/") {
				return nil, ErrValidation.WithMessage("Must specify userName when calling with non-User credentials")
			}
			created, err := s.accountCreated()
			if err != nil {
				return nil, err
			}
			root := User{
				UserId:     ptr(s.account),
				Arn:        ptr("arn:aws:iam::" + s.account + ":root"),
				CreateDate: ptr(created),
			}
			return &GetUserResponse{User: &root}, nil
		}
	}
	u, err := s.user(name)
	if err != nil {
		return nil, err
	}
	out := s.userOut(u, true)
	return &GetUserResponse{User: &out}, nil
}

func (s *Service) listUsers(ctx context.Context, in *ListUsersRequest) (*ListUsersResponse, error) {
	users, err := all[userRecord](s, kindUser)
	if err != nil {
		return nil, err
	}
	var match []*userRecord
	for _, u := range users {
		if hasPathPrefix(u.Path, in.PathPrefix) {
			match = append(match, u)
		}
	}
	got, truncated, marker := page(match, func(u *userRecord) string { return strings.ToLower(u.Name) }, in.Marker, in.MaxItems)
	out := &ListUsersResponse{Users: []User{}, IsTruncated: truncated, Marker: marker}
	for _, u := range got {
		out.Users = append(out.Users, s.userOut(u, false))
	}
	return out, nil
}

func (s *Service) deleteUser(ctx context.Context, in *DeleteUserRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.user(*in.UserName)
	if err != nil {
		return nil, err
	}
	switch {
	case len(u.Attached) > 0:
		return nil, ErrDeleteConflict.WithMessage("Cannot delete entity, must detach all policies first.")
	case len(u.Inline) > 0:
		return nil, ErrDeleteConflict.WithMessage("Cannot delete entity, must delete policies first.")
	case len(u.Keys) > 0:
		return nil, ErrDeleteConflict.WithMessage("Cannot delete entity, must delete access keys first.")
	case u.Login != nil:
		return nil, ErrDeleteConflict.WithMessage("Cannot delete entity, must delete login profile first.")
	case len(u.MFA) > 0:
		return nil, ErrDeleteConflict.WithMessage("Cannot delete entity, must delete MFA device first.")
	}
	if groups, err := s.groupsOf(u.Name); err != nil {
		return nil, err
	} else if len(groups) > 0 {
		return nil, ErrDeleteConflict.WithMessage("Cannot delete entity, must remove user from all groups first.")
	}
	return nil, s.commit(new(change).del(kindUser, u.Name))
}

// updateUserWith applies f to a user and stores it, with the access key
// index entries of keys f added or removed.
func (s *Service) updateUserWith(name string, f func(*userRecord) error) (*userRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.user(name)
	if err != nil {
		return nil, err
	}
	before := keyIDs(u.Keys)
	if err := f(u); err != nil {
		return nil, err
	}
	c := new(change).put(kindUser, u.Name, u)
	after := keyIDs(u.Keys)
	for _, id := range before {
		if !slices.Contains(after, id) {
			c.delKey(accessKeyKey(id))
		}
	}
	for _, id := range after {
		if !slices.Contains(before, id) {
			c.putKey(accessKeyKey(id), u.Name)
		}
	}
	return u, s.commit(c)
}

func keyIDs(keys []accessKeyRecord) []string {
	var ids []string
	for _, k := range keys {
		ids = append(ids, k.ID)
	}
	return ids
}

// targetUser is the user an access key operation is about: the named one,
// or the caller's own.
func (s *Service) targetUser(ctx context.Context, name *string) (string, error) {
	if name != nil && *name != "" {
		return *name, nil
	}
	var caller awsproto.Caller
	if call := awsproto.CallFrom(ctx); call != nil {
		caller = call.Caller
	}
	owner, err := s.keyOwner(caller.AccessKeyID)
	if err != nil {
		return "", err
	}
	if owner == "" {
		return "", ErrValidation.WithMessage("Must specify userName when calling with non-User credentials")
	}
	return owner, nil
}

func (s *Service) createAccessKey(ctx context.Context, in *CreateAccessKeyRequest) (*CreateAccessKeyResponse, error) {
	name, err := s.targetUser(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	var made accessKeyRecord
	u, err := s.updateUserWith(name, func(u *userRecord) error {
		if len(u.Keys) >= maxAccessKeys {
			return ErrLimitExceeded.Withf("Cannot exceed quota for AccessKeysPerUser: %d", maxAccessKeys)
		}
		made = accessKeyRecord{ID: s.ids.AccessKeyID(keyPrefix), Secret: s.ids.Secret(), Status: "Active",
			Created: s.clock.Now().UTC().Truncate(1e9)}
		u.Keys = append(u.Keys, made)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &CreateAccessKeyResponse{AccessKey: &AccessKey{UserName: ptr(u.Name), AccessKeyId: ptr(made.ID),
		Status: ptr(made.Status), SecretAccessKey: ptr(made.Secret), CreateDate: ptr(made.Created)}}, nil
}

func (s *Service) listAccessKeys(ctx context.Context, in *ListAccessKeysRequest) (*ListAccessKeysResponse, error) {
	name, err := s.targetUser(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	u, err := s.user(name)
	if err != nil {
		return nil, err
	}
	var list []AccessKeyMetadata
	for _, k := range u.Keys {
		list = append(list, AccessKeyMetadata{UserName: ptr(u.Name), AccessKeyId: ptr(k.ID), Status: ptr(k.Status), CreateDate: ptr(k.Created)})
	}
	// Pages follow the key ids' order, which the marker names.
	sort.Slice(list, func(i, j int) bool { return *list[i].AccessKeyId < *list[j].AccessKeyId })
	got, truncated, marker := page(list, func(k AccessKeyMetadata) string { return *k.AccessKeyId }, in.Marker, in.MaxItems)
	if got == nil {
		got = []AccessKeyMetadata{}
	}
	return &ListAccessKeysResponse{AccessKeyMetadata: got, IsTruncated: truncated, Marker: marker}, nil
}

func noSuchKey(id string) error {
	return ErrNoSuchEntity.Withf("The Access Key with id %s cannot be found.", id)
}

func (s *Service) updateAccessKey(ctx context.Context, in *UpdateAccessKeyRequest) (*noOutput, error) {
	switch *in.Status {
	case "Active", "Inactive":
	default:
		return nil, ErrValidation.Withf("1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", *in.Status)
	}
	name, err := s.targetUser(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	_, err = s.updateUserWith(name, func(u *userRecord) error {
		i := slices.IndexFunc(u.Keys, func(k accessKeyRecord) bool { return k.ID == *in.AccessKeyId })
		if i < 0 {
			return noSuchKey(*in.AccessKeyId)
		}
		u.Keys[i].Status = *in.Status
		return nil
	})
	return nil, err
}

func (s *Service) deleteAccessKey(ctx context.Context, in *DeleteAccessKeyRequest) (*noOutput, error) {
	name, err := s.targetUser(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	_, err = s.updateUserWith(name, func(u *userRecord) error {
		i := slices.IndexFunc(u.Keys, func(k accessKeyRecord) bool { return k.ID == *in.AccessKeyId })
		if i < 0 {
			return noSuchKey(*in.AccessKeyId)
		}
		u.Keys = slices.Delete(u.Keys, i, i+1)
		return nil
	})
	return nil, err
}

// keyOwner returns the name of the user an access key belongs to, or ""
// when IAM did not issue it.
func (s *Service) keyOwner(accessKeyID string) (string, error) {
	if accessKeyID == "" {
		return "", nil
	}
	raw, err := s.store.Get(accessKeyKey(accessKeyID))
	if err != nil {
		if isNotFound(err) {
			return "", nil
		}
		return "", err
	}
	var name string
	if err := jsonUnmarshal(raw, &name); err != nil {
		return "", err
	}
	return name, nil
}

func (s *Service) tagUser(ctx context.Context, in *TagUserRequest) (*noOutput, error) {
	_, err := s.updateUserWith(*in.UserName, func(u *userRecord) error {
		tags := mergeTags(append([]tagRecord(nil), u.Tags...), in.Tags)
		if len(tags) > maxTagsPerEntity {
			return tooManyTags()
		}
		u.Tags = tags
		return nil
	})
	return nil, err
}

func (s *Service) untagUser(ctx context.Context, in *UntagUserRequest) (*noOutput, error) {
	_, err := s.updateUserWith(*in.UserName, func(u *userRecord) error {
		u.Tags = removeTags(u.Tags, in.TagKeys)
		return nil
	})
	return nil, err
}

func (s *Service) listUserTags(ctx context.Context, in *ListUserTagsRequest) (*ListUserTagsResponse, error) {
	u, err := s.user(*in.UserName)
	if err != nil {
		return nil, err
	}
	got, truncated, marker := pageTags(u.Tags, in.Marker, in.MaxItems)
	return &ListUserTagsResponse{Tags: got, IsTruncated: truncated, Marker: marker}, nil
}

func (s *Service) putUserPermissionsBoundary(ctx context.Context, in *PutUserPermissionsBoundaryRequest) (*noOutput, error) {
	_, err := s.updateUserWith(*in.UserName, func(u *userRecord) error {
		if err := s.checkBoundary(*in.PermissionsBoundary); err != nil {
			return err
		}
		u.Boundary = *in.PermissionsBoundary
		return nil
	})
	return nil, err
}

func (s *Service) deleteUserPermissionsBoundary(ctx context.Context, in *DeleteUserPermissionsBoundaryRequest) (*noOutput, error) {
	_, err := s.updateUserWith(*in.UserName, func(u *userRecord) error {
		u.Boundary = ""
		return nil
	})
	return nil, err
}
