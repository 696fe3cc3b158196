package secretsmanager

import (
	"bytes"
	"context"
	"slices"
	"time"
)

const arnAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func (s *Service) arn(name string) string {
	suffix := make([]byte, arnSuffixLength)
	for i := range suffix {
		c, err := pick(s.rand, arnAlphabet)
		if err != nil {
			panic("secretsmanager: random source failed: " + err.Error())
		}
		suffix[i] = c
	}
	return "arn:aws:secretsmanager:" + s.region + ":" + s.account + ":secret:" + name + "-" + string(suffix)
}

func millis(ms int64) *time.Time {
	if ms == 0 {
		return nil
	}
	t := time.UnixMilli(ms).UTC()
	return &t
}

// day is the start of ms's day, in UTC: Secrets Manager records when a
// secret was last accessed to the day.
func day(ms int64) int64 {
	t := time.UnixMilli(ms).UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).UnixMilli()
}

// value is a request's new secret value.
type value struct {
	str    *string
	binary []byte
}

func (v value) present() bool { return v.str != nil || v.binary != nil }

func (v value) check() error {
	if v.str != nil && v.binary != nil {
		return ErrInvalidParameter.WithMessage("You can't specify both a binary secret value and a string secret value in the same secret.")
	}
	return nil
}

// same reports whether version ver holds v.
func (s *Service) same(ver *secretVersion, v value) bool {
	str, bin, err := s.open(ver)
	if err != nil {
		return false
	}
	if v.str != nil {
		return str != nil && *str == *v.str
	}
	return str == nil && bytes.Equal(bin, v.binary)
}

// fill seals v into ver.
func (s *Service) fill(ver *secretVersion, v value) {
	ver.Empty = false
	if v.str != nil {
		ver.IsString = true
		ver.String = s.box.Seal([]byte(*v.str))
	} else {
		ver.Binary = s.box.Seal(v.binary)
	}
}

func (s *Service) open(ver *secretVersion) (*string, []byte, error) {
	if ver.IsString {
		raw, err := s.box.Open(ver.String)
		if err != nil {
			return nil, nil, err
		}
		str := string(raw)
		return &str, nil, nil
	}
	if ver.Binary == nil {
		return nil, nil, nil
	}
	raw, err := s.box.Open(ver.Binary)
	return nil, raw, err
}

// addVersion adds a version with token as its id (a new UUID when
// empty) and moves stages to it. An existing version with that id and
// the same value makes it a retry, which changes nothing; another value
// is an error.
func (s *Service) addVersion(sec *secret, token string, v value, stages []string) (*secretVersion, bool, error) {
	if err := s.checkKey(sec, ErrEncryptionFailure); err != nil {
		return nil, false, err
	}
	if len(stages) == 0 {
		stages = []string{stageCurrent}
	}
	if token != "" {
		if old := sec.version(token); old != nil {
			if old.Empty {
				// The rotation function fills the version RotateSecret made.
				s.fill(old, v)
				for _, st := range stages {
					sec.moveStage(st, old)
				}
				sec.Changed = s.clock.Now().UnixMilli()
				return old, true, nil
			}
			if s.same(old, v) {
				return old, false, nil
			}
			return nil, false, ErrResourceExists.WithMessage("You can't modify an existing version, you can only create a new version.")
		}
	} else {
		token = s.ids.UUID()
	}
	now := s.clock.Now().UnixMilli()
	ver := &secretVersion{ID: token, Created: now}
	s.fill(ver, v)
	sec.Versions = append(sec.Versions, ver)
	for _, st := range stages {
		sec.moveStage(st, ver)
	}
	sec.Changed = now
	sec.prune()
	return ver, true, nil
}

func (s *Service) getSecretValue(_ context.Context, in *GetSecretValueRequest) (*GetSecretValueResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.findLive(deref(in.SecretId))
	if err != nil {
		return nil, err
	}
	var ver *secretVersion
	switch {
	case in.VersionId != nil:
		ver = sec.version(*in.VersionId)
		if ver == nil || (in.VersionStage != nil && !slices.Contains(ver.Stages, *in.VersionStage)) {
			return nil, ErrResourceNotFound.WithMessage("Secrets Manager can't find the specified secret value for VersionId: " + *in.VersionId)
		}
	default:
		stage := stageCurrent
		if in.VersionStage != nil {
			stage = *in.VersionStage
		}
		if ver = sec.staged(stage); ver == nil {
			return nil, ErrResourceNotFound.WithMessage("Secrets Manager can't find the specified secret value for staging label: " + stage)
		}
	}
	if ver.Empty {
		if in.VersionId != nil {
			return nil, ErrResourceNotFound.WithMessage("Secrets Manager can't find the specified secret value for VersionId: " + ver.ID)
		}
		return nil, ErrResourceNotFound.WithMessage("Secrets Manager can't find the specified secret value for staging label: " + deref(in.VersionStage))
	}
	if err := s.checkKey(sec, ErrDecryptionFailure); err != nil {
		return nil, err
	}
	str, bin, err := s.open(ver)
	if err != nil {
		return nil, err
	}
	if today := day(s.clock.Now().UnixMilli()); sec.Accessed != today || ver.Accessed != today {
		sec.Accessed, ver.Accessed = today, today
		if err := s.save(sec); err != nil {
			return nil, err
		}
	}
	return &GetSecretValueResponse{ARN: ptr(sec.ARN), Name: ptr(sec.Name), VersionId: ptr(ver.ID), SecretString: str, SecretBinary: bin,
		VersionStages: slices.Clone(ver.Stages), CreatedDate: millis(ver.Created)}, nil
}

func (s *Service) putSecretValue(_ context.Context, in *PutSecretValueRequest) (*PutSecretValueResponse, error) {
	v := value{str: in.SecretString, binary: in.SecretBinary}
	if err := v.check(); err != nil {
		return nil, err
	}
	if !v.present() {
		return nil, ErrInvalidRequest.WithMessage("You must provide either SecretString or SecretBinary.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.findLive(deref(in.SecretId))
	if err != nil {
		return nil, err
	}
	ver, added, err := s.addVersion(sec, deref(in.ClientRequestToken), v, in.VersionStages)
	if err != nil {
		return nil, err
	}
	if added {
		if err := s.save(sec); err != nil {
			return nil, err
		}
	}
	return &PutSecretValueResponse{ARN: ptr(sec.ARN), Name: ptr(sec.Name), VersionId: ptr(ver.ID), VersionStages: slices.Clone(ver.Stages)}, nil
}

func (s *Service) updateSecretVersionStage(_ context.Context, in *UpdateSecretVersionStageRequest) (*UpdateSecretVersionStageResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.findLive(deref(in.SecretId))
	if err != nil {
		return nil, err
	}
	stage := deref(in.VersionStage)
	holder := sec.staged(stage)
	var from, to *secretVersion
	if in.RemoveFromVersionId != nil {
		if from = sec.version(*in.RemoveFromVersionId); from == nil || from != holder {
			return nil, ErrInvalidParameter.WithMessage("The staging label " + stage + " is not attached to version " + *in.RemoveFromVersionId + ".")
		}
	}
	if in.MoveToVersionId != nil {
		if to = sec.version(*in.MoveToVersionId); to == nil {
			return nil, ErrInvalidParameter.WithMessage("Version " + *in.MoveToVersionId + " not found.")
		}
		if holder != nil && holder != to && from == nil {
			return nil, ErrInvalidParameter.WithMessage("The parameter RemoveFromVersionId can't be empty. Staging label " + stage + " is currently attached to version " + holder.ID + ", so you must explicitly reference that version in RemoveFromVersionId.")
		}
	}
	if to != nil {
		sec.moveStage(stage, to)
	} else if from != nil {
		if stage == stageCurrent {
			return nil, ErrInvalidParameter.WithMessage("You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed.")
		}
		from.Stages = slices.DeleteFunc(from.Stages, func(x string) bool { return x == stage })
	}
	sec.Changed = s.clock.Now().UnixMilli()
	sec.prune()
	if err := s.save(sec); err != nil {
		return nil, err
	}
	return &UpdateSecretVersionStageResponse{ARN: ptr(sec.ARN), Name: ptr(sec.Name)}, nil
}

func (s *Service) getRandomPassword(_ context.Context, in *GetRandomPasswordRequest) (*GetRandomPasswordResponse, error) {
	o := DefaultPasswordOptions()
	if in.PasswordLength != nil {
		o.Length = int(*in.PasswordLength)
	}
	o.ExcludeCharacters = deref(in.ExcludeCharacters)
	o.ExcludeNumbers = deref(in.ExcludeNumbers)
	o.ExcludePunctuation = deref(in.ExcludePunctuation)
	o.ExcludeUppercase = deref(in.ExcludeUppercase)
	o.ExcludeLowercase = deref(in.ExcludeLowercase)
	o.IncludeSpace = deref(in.IncludeSpace)
	if in.RequireEachIncludedType != nil {
		o.RequireEachIncludedType = *in.RequireEachIncludedType
	}
	pw, err := GeneratePassword(o, s.rand)
	if err != nil {
		return nil, err
	}
	return &GetRandomPasswordResponse{RandomPassword: &pw}, nil
}
