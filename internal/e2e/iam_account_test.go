package e2e_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/virga/virga/internal/e2e"
)

// totpCode is what an authenticator app shows for seed (base32) at time
// step counter: RFC 6238 with HMAC-SHA1 and six digits.
func totpCode(t *testing.T, seed string, counter uint64) string {
	t.Helper()
	secret, err := base32.StdEncoding.DecodeString(seed)
	if err != nil {
		t.Fatalf("seed %q: %v", seed, err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	h := hmac.New(sha1.New, secret)
	h.Write(msg[:])
	sum := h.Sum(nil)
	off := sum[19] & 0x0f
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:])&0x7fffffff)%1000000)
}

// TestIAMLoginProfilesAndMFA walks a user's console password and virtual
// MFA device through their lives, and DeleteUser refusing while either
// remains.
func TestIAMLoginProfilesAndMFA(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := iamClient(env)
	ctx := context.Background()
	bob := aws.String("Bob")
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: bob}); err != nil {
		t.Fatal(err)
	}

	_, err := c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: bob})
	wantIAMError(t, "no profile yet", err, "NoSuchEntity", "Login Profile for User Bob cannot be found.")
	made, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: bob, Password: aws.String("&1-3a6u:RA0djs"), PasswordResetRequired: true})
	if err != nil {
		t.Fatal(err)
	}
	if p := made.LoginProfile; aws.ToString(p.UserName) != "Bob" || !p.PasswordResetRequired || p.CreateDate == nil {
		t.Errorf("created %+v", p)
	}
	_, err = c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: bob, Password: aws.String("x")})
	wantIAMError(t, "second profile", err, "EntityAlreadyExists", "Login Profile for user Bob already exists.")
	_, err = c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("Nobody"), Password: aws.String("x")})
	wantIAMError(t, "no user", err, "NoSuchEntity", "The user with name Nobody cannot be found.")
	if _, err := c.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: bob, Password: aws.String("n3w!pass"), PasswordResetRequired: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: bob})
	if err != nil || got.LoginProfile.PasswordResetRequired || !got.LoginProfile.CreateDate.Equal(*made.LoginProfile.CreateDate) {
		t.Errorf("after update: %+v, %v", got, err)
	}
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: bob})
	wantIAMError(t, "delete with a password", err, "DeleteConflict", "Cannot delete entity, must delete login profile first.")
	if _, err := c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: bob}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: bob})
	wantIAMError(t, "delete twice", err, "NoSuchEntity", "Login Profile for User Bob cannot be found.")

	// A virtual MFA device, enabled with two consecutive codes.
	dev, err := c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("BobsMFADevice")})
	if err != nil {
		t.Fatal(err)
	}
	serial := aws.ToString(dev.VirtualMFADevice.SerialNumber)
	seed := string(dev.VirtualMFADevice.Base32StringSeed)
	if serial != "arn:aws:iam::000000000000:mfa/BobsMFADevice" || len(seed) != 64 {
		t.Fatalf("device %s seed %q", serial, seed)
	}
	_, err = c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("BobsMFADevice")})
	wantIAMError(t, "same name", err, "EntityAlreadyExists", "MFADevice entity at the same path and name already exists.")
	step := uint64(time.Now().Unix() / 30)
	_, err = c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: bob, SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(totpCode(t, seed, step)), AuthenticationCode2: aws.String(totpCode(t, seed, step+5))})
	wantIAMError(t, "codes not consecutive", err, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
	if _, err := c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: bob, SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(totpCode(t, seed, step-1)), AuthenticationCode2: aws.String(totpCode(t, seed, step))}); err != nil {
		t.Fatal(err)
	}
	listed, err := c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: bob})
	if err != nil || len(listed.MFADevices) != 1 || aws.ToString(listed.MFADevices[0].SerialNumber) != serial || listed.MFADevices[0].EnableDate == nil {
		t.Errorf("ListMFADevices %+v, %v", listed, err)
	}
	if _, err := c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("Spare"), Path: aws.String("/spare/")}); err != nil {
		t.Fatal(err)
	}
	virtuals := func(status types.AssignmentStatusType) []string {
		t.Helper()
		out, err := c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: status})
		if err != nil {
			t.Fatal(err)
		}
		var serials []string
		for _, d := range out.VirtualMFADevices {
			who := ""
			if d.User != nil {
				who = "@" + aws.ToString(d.User.UserName)
			}
			if d.Base32StringSeed != nil {
				t.Errorf("listing shows %s's seed", aws.ToString(d.SerialNumber))
			}
			serials = append(serials, aws.ToString(d.SerialNumber)+who)
		}
		return serials
	}
	if got := fmtList(virtuals(types.AssignmentStatusTypeAssigned)); got != serial+"@Bob" {
		t.Errorf("assigned %s", got)
	}
	if got := fmtList(virtuals(types.AssignmentStatusTypeUnassigned)); got != "arn:aws:iam::000000000000:mfa/spare/Spare" {
		t.Errorf("unassigned %s", got)
	}
	if got := virtuals(""); len(got) != 2 {
		t.Errorf("any %v", got)
	}
	summary, err := c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	if m := summary.SummaryMap; m["Users"] != 1 || m["MFADevices"] != 2 || m["MFADevicesInUse"] != 1 || m["UsersQuota"] != 5000 ||
		m["AccessKeysPerUserQuota"] != 2 || m["PolicySizeQuota"] != 6144 || m["Roles"] != 0 {
		t.Errorf("summary %v", m)
	}

	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: bob})
	wantIAMError(t, "delete with MFA", err, "DeleteConflict", "Cannot delete entity, must delete MFA device first.")
	_, err = c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	wantIAMError(t, "delete assigned device", err, "DeleteConflict", "")
	if _, err := c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: bob, SerialNumber: aws.String(serial)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	wantIAMError(t, "deleted device", err, "NoSuchEntity", "")
	if _, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: bob}); err != nil {
		t.Fatal(err)
	}
}
