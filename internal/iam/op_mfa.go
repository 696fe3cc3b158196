package iam

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Virtual MFA devices hold a TOTP secret (RFC 6238: HMAC-SHA1, 30-second
// steps, six digits). EnableMFADevice checks the two consecutive codes
// the device shows against it, as IAM does to synchronize the device;
// virga asks for MFA nowhere else.

const (
	// mfaSeedBytes is the secret's length: IAM's Base32StringSeed is 64
	// base32 characters.
	mfaSeedBytes = 40
	// totpStep and totpDigits are RFC 6238's time step and code length.
	totpStep   = 30 * time.Second
	totpDigits = 6
	// totpWindow is how many steps before now the first of the two codes
	// may come from, for a device whose clock lags or a user who waited.
	totpWindow = 10
)

// mfaRecord is a virtual MFA device.
type mfaRecord struct {
	Name    string      `json:"name"`
	Path    string      `json:"path"`
	Seed    string      `json:"seed"` // base32, as Base32StringSeed
	Created time.Time   `json:"created"`
	Tags    []tagRecord `json:"tags,omitempty"`
	// User is the name of the user the device is enabled for, empty
	// while it is unassigned; Enabled is when it was enabled.
	User    string    `json:"user,omitempty"`
	Enabled time.Time `json:"enabled,omitzero"`
}

func (s *Service) mfaSerial(path, name string) string { return s.arn("mfa", path, name) }

// mfaKey is the record key of the device with serial number serial: its
// path and name; false for a serial number that names no virtual device
// of the account (a hardware device's).
func (s *Service) mfaKey(serial string) (string, bool) {
	rest, ok := strings.CutPrefix(serial, "arn:aws:iam::"+s.account+":mfa/")
	return "/" + rest, ok && rest != ""
}

func noSuchMFA(serial string) error {
	return ErrNoSuchEntity.Withf("VirtualMFADevice with serial number %s doesn't exist.", serial)
}

// mfaDevice returns the virtual device with serial number serial.
func (s *Service) mfaDevice(serial string) (string, *mfaRecord, error) {
	key, ok := s.mfaKey(serial)
	if !ok {
		return "", nil, noSuchMFA(serial)
	}
	var d mfaRecord
	found, err := s.get(kindMFA, key, &d)
	if err != nil {
		return "", nil, err
	}
	if !found {
		return "", nil, noSuchMFA(serial)
	}
	return key, &d, nil
}

// totp is RFC 6238's code for the secret at time step counter.
func totp(secret []byte, counter uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	h := hmac.New(sha1.New, secret)
	h.Write(msg[:])
	sum := h.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, code%1000000)
}

// consecutiveCodes reports whether code1 and code2 are the codes of two
// consecutive time steps of seed (base32), the first no more than
// totpWindow steps before now or one after it.
func consecutiveCodes(seed, code1, code2 string, now time.Time) bool {
	secret, err := base32.StdEncoding.DecodeString(seed)
	if err != nil {
		return false
	}
	step := uint64(now.Unix()) / uint64(totpStep/time.Second)
	for c := step - totpWindow; c <= step+1; c++ {
		if hmac.Equal([]byte(totp(secret, c)), []byte(code1)) && hmac.Equal([]byte(totp(secret, c+1)), []byte(code2)) {
			return true
		}
	}
	return false
}

func (s *Service) createVirtualMFADevice(ctx context.Context, in *CreateVirtualMFADeviceRequest) (*CreateVirtualMFADeviceResponse, error) {
	if len(in.Tags) > maxTagsPerEntity {
		return nil, tooManyTags()
	}
	d := &mfaRecord{Name: *in.VirtualMFADeviceName, Path: pathOr(in.Path),
		Created: s.clock.Now().UTC().Truncate(time.Second), Tags: mergeTags(nil, in.Tags)}
	secret, err := hex.DecodeString(s.ids.Hex(mfaSeedBytes))
	if err != nil {
		return nil, err
	}
	d.Seed = base32.StdEncoding.EncodeToString(secret)
	key := d.Path + d.Name
	s.mu.Lock()
	defer s.mu.Unlock()
	var have mfaRecord
	if found, err := s.get(kindMFA, key, &have); err != nil {
		return nil, err
	} else if found {
		return nil, ErrEntityAlreadyExists.WithMessage("MFADevice entity at the same path and name already exists.")
	}
	if err := s.commit(new(change).put(kindMFA, key, d)); err != nil {
		return nil, err
	}
	return &CreateVirtualMFADeviceResponse{VirtualMFADevice: &VirtualMFADevice{
		SerialNumber:     ptr(s.mfaSerial(d.Path, d.Name)),
		Base32StringSeed: []byte(d.Seed),
		Tags:             tagsOut(d.Tags),
	}}, nil
}

func (s *Service) enableMFADevice(ctx context.Context, in *EnableMFADeviceRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.user(*in.UserName)
	if err != nil {
		return nil, err
	}
	key, d, err := s.mfaDevice(*in.SerialNumber)
	if err != nil {
		return nil, err
	}
	if d.User != "" {
		return nil, ErrEntityAlreadyExists.WithMessage("MFA Device is already in use.")
	}
	now := s.clock.Now().UTC()
	if !consecutiveCodes(d.Seed, *in.AuthenticationCode1, *in.AuthenticationCode2, now) {
		return nil, ErrInvalidAuthenticationCode.WithMessage("Authentication code for device is not valid.")
	}
	d.User, d.Enabled = u.Name, now.Truncate(time.Second)
	u.MFA = append(u.MFA, *in.SerialNumber)
	return nil, s.commit(new(change).put(kindMFA, key, d).put(kindUser, u.Name, u))
}

func (s *Service) deactivateMFADevice(ctx context.Context, in *DeactivateMFADeviceRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.user(*in.UserName)
	if err != nil {
		return nil, err
	}
	i := slices.Index(u.MFA, *in.SerialNumber)
	if i < 0 {
		return nil, ErrNoSuchEntity.Withf("MFA Device with serial number %s does not exist.", *in.SerialNumber)
	}
	u.MFA = slices.Delete(u.MFA, i, i+1)
	c := new(change).put(kindUser, u.Name, u)
	if key, d, err := s.mfaDevice(*in.SerialNumber); err == nil {
		d.User, d.Enabled = "", time.Time{}
		c.put(kindMFA, key, d)
	} else if !isNoSuchEntity(err) {
		return nil, err
	}
	return nil, s.commit(c)
}

func (s *Service) deleteVirtualMFADevice(ctx context.Context, in *DeleteVirtualMFADeviceRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, d, err := s.mfaDevice(*in.SerialNumber)
	if err != nil {
		return nil, err
	}
	if d.User != "" {
		return nil, ErrDeleteConflict.WithMessage("MFA device is still in use.")
	}
	return nil, s.commit(new(change).del(kindMFA, key))
}

// mfaDeviceOut is a device as ListVirtualMFADevices answers it: without
// its secret, with the user it is enabled for.
func (s *Service) mfaDeviceOut(d *mfaRecord) (VirtualMFADevice, error) {
	out := VirtualMFADevice{SerialNumber: ptr(s.mfaSerial(d.Path, d.Name)), Tags: tagsOut(d.Tags)}
	if d.User != "" {
		out.EnableDate = ptr(d.Enabled)
		if u, err := s.user(d.User); err == nil {
			out.User = ptr(s.userOut(u, false))
		} else if !isNoSuchEntity(err) {
			return out, err
		}
	}
	return out, nil
}

func (s *Service) listVirtualMFADevices(ctx context.Context, in *ListVirtualMFADevicesRequest) (*ListVirtualMFADevicesResponse, error) {
	status := "Any"
	if in.AssignmentStatus != nil {
		status = *in.AssignmentStatus
	}
	if status != "Assigned" && status != "Unassigned" && status != "Any" {
		return nil, ErrValidation.Withf("1 validation error detected: Value '%s' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Unassigned, Any, Assigned]", status)
	}
	var devices []VirtualMFADevice
	err := each(s, kindMFA, func(d *mfaRecord) error {
		if (status == "Assigned" && d.User == "") || (status == "Unassigned" && d.User != "") {
			return nil
		}
		out, err := s.mfaDeviceOut(d)
		devices = append(devices, out)
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(devices, func(a, b VirtualMFADevice) int { return strings.Compare(*a.SerialNumber, *b.SerialNumber) })
	page, truncated, marker := page(devices, func(d VirtualMFADevice) string { return *d.SerialNumber }, in.Marker, in.MaxItems)
	if page == nil {
		page = []VirtualMFADevice{}
	}
	return &ListVirtualMFADevicesResponse{VirtualMFADevices: page, IsTruncated: truncated, Marker: marker}, nil
}

func (s *Service) listMFADevices(ctx context.Context, in *ListMFADevicesRequest) (*ListMFADevicesResponse, error) {
	devices := []MFADevice{}
	name, err := s.targetUser(ctx, in.UserName)
	if err != nil && apierrCode(err) != ErrValidation.Code {
		return nil, err
	}
	if err == nil { // a caller that is no user (the root) has none here
		u, err := s.user(name)
		if err != nil {
			return nil, err
		}
		for _, serial := range u.MFA {
			dev := MFADevice{UserName: ptr(u.Name), SerialNumber: ptr(serial)}
			if _, d, err := s.mfaDevice(serial); err == nil {
				dev.EnableDate = ptr(d.Enabled)
			} else if !isNoSuchEntity(err) {
				return nil, err
			}
			devices = append(devices, dev)
		}
	}
	page, truncated, marker := page(devices, func(d MFADevice) string { return *d.SerialNumber }, in.Marker, in.MaxItems)
	return &ListMFADevicesResponse{MFADevices: page, IsTruncated: truncated, Marker: marker}, nil
}
