package sts_test

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	pebblestore "github.com/virga/virga/internal/store/pebble"
	"github.com/virga/virga/internal/sts"
)

// These tests drive STS through its exported surface, the operation table
// (API) and LookupCredential, as the edge does, over the real store.

type fixture struct {
	svc   *sts.Service
	api   *awsproto.Service
	clock *clock.Fake
	db    store.Store
}

func newFixture(t *testing.T, dir string) *fixture {
	t.Helper()
	db, err := pebblestore.Open(pebblestore.Options{Dir: dir, InMemory: dir == ""})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := clock.NewFake(time.Date(2024, 3, 4, 5, 6, 7, 890, time.UTC))
	s := sts.New(sts.Deps{Store: db, Clock: clk, IDs: ids.New(nil), Account: "000000000000"})
	return &fixture{svc: s, api: s.API(), clock: clk, db: db}
}

// call runs one awsQuery call as caller and returns the HTTP status and
// body.
func (f *fixture) call(t *testing.T, caller awsproto.Caller, params ...string) (int, []byte) {
	t.Helper()
	form := url.Values{"Version": {sts.APIVersion}}
	for i := 0; i+1 < len(params); i += 2 {
		form.Set(params[i], params[i+1])
	}
	body := form.Encode()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c := awsproto.NewCall(req, "req-1", f.clock.Now())
	c.Body = []byte(body)
	c.Caller = caller
	rec := httptest.NewRecorder()
	f.api.Serve(c, rec)
	return rec.Code, rec.Body.Bytes()
}

type creds struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

type assumeRoleResult struct {
	Result struct {
		Credentials     creds
		AssumedRoleUser struct {
			AssumedRoleID string `xml:"AssumedRoleId"`
			Arn           string
		}
	} `xml:"AssumeRoleResult"`
}

func (f *fixture) assumeRole(t *testing.T, arn, session string, extra ...string) assumeRoleResult {
	t.Helper()
	status, body := f.call(t, awsproto.Caller{Account: "000000000000"},
		append([]string{"Action", "AssumeRole", "RoleArn", arn, "RoleSessionName", session}, extra...)...)
	if status != 200 {
		t.Fatalf("AssumeRole(%s): HTTP %d\n%s", arn, status, body)
	}
	var out assumeRoleResult
	if err := xml.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAssumeRoleIsStoredAndExpires(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	out := f.assumeRole(t, "arn:aws:iam::111122223333:role/a/b/Role", "sess", "DurationSeconds", "900")
	c := out.Result.Credentials
	// Expiration is whole seconds: it travels as ISO 8601 without
	// fractions, and the edge compares against the stored value.
	if want := time.Date(2024, 3, 4, 5, 21, 7, 0, time.UTC); !c.Expiration.Equal(want) {
		t.Errorf("Expiration = %v, want %v", c.Expiration, want)
	}
	got, err := f.svc.LookupCredential(c.AccessKeyID)
	if err != nil || got == nil {
		t.Fatalf("LookupCredential = %v, %v", got, err)
	}
	want := awsproto.Credential{
		AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expires: c.Expiration,
		Caller: awsproto.Caller{
			AccessKeyID: c.AccessKeyID, SessionToken: c.SessionToken, Account: "111122223333",
			ARN: "arn:aws:sts::111122223333:assumed-role/Role/sess", UserID: out.Result.AssumedRoleUser.AssumedRoleID,
		},
	}
	if !got.Expires.Equal(want.Expires) {
		t.Errorf("Expires = %v, want %v", got.Expires, want.Expires)
	}
	got.Expires = want.Expires
	if *got != want {
		t.Errorf("LookupCredential =\n%+v\nwant\n%+v", *got, want)
	}

	// Expired credentials are still known (so that the edge can answer
	// ExpiredToken) for a day, then forgotten and deleted.
	f.clock.Advance(24*time.Hour + 900*time.Second - time.Second)
	if got, _ := f.svc.LookupCredential(c.AccessKeyID); got == nil {
		t.Error("credentials forgotten less than a day after expiry")
	}
	f.clock.Advance(2 * time.Second)
	if got, err := f.svc.LookupCredential(c.AccessKeyID); got != nil || err != nil {
		t.Errorf("a day after expiry: LookupCredential = %v, %v; want nil, nil", got, err)
	}
	if got, err := f.svc.LookupCredential("ASIANEVERISSUED00000"); got != nil || err != nil {
		t.Errorf("unknown key: %v, %v", got, err)
	}
}

func TestSessionsSurviveReopen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := newFixture(t, dir)
	status, body := f.call(t, awsproto.Caller{Account: "000000000000"}, "Action", "GetSessionToken")
	if status != 200 {
		t.Fatalf("GetSessionToken: HTTP %d\n%s", status, body)
	}
	var out struct {
		Result struct{ Credentials creds } `xml:"GetSessionTokenResult"`
	}
	if err := xml.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}
	f2 := newFixture(t, dir)
	got, err := f2.svc.LookupCredential(out.Result.Credentials.AccessKeyID)
	if err != nil || got == nil || got.SecretAccessKey != out.Result.Credentials.SecretAccessKey {
		t.Fatalf("after reopening: %v, %v", got, err)
	}
	if got.Caller.ARN != "arn:aws:iam::000000000000:root" {
		t.Errorf("GetSessionToken caller ARN = %q, want the root's", got.Caller.ARN)
	}
}

func TestRoleIDIsStablePerRole(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	idRe := regexp.MustCompile(`^(AROA[A-Z2-7]{17}):(.*)$`)
	roleID := func(arn, session string) string {
		m := idRe.FindStringSubmatch(f.assumeRole(t, arn, session).Result.AssumedRoleUser.AssumedRoleID)
		if m == nil || m[2] != session {
			t.Fatalf("AssumedRoleId for %s/%s is not AROA + 17 base32 characters + :%s", arn, session, session)
		}
		return m[1]
	}
	a1 := roleID("arn:aws:iam::000000000000:role/a", "s1")
	a2 := roleID("arn:aws:iam::000000000000:role/a", "s2")
	b := roleID("arn:aws:iam::000000000000:role/b", "s1")
	if a1 != a2 {
		t.Errorf("role a has ids %s and %s", a1, a2)
	}
	if a1 == b {
		t.Errorf("roles a and b share the id %s", a1)
	}
}

func TestAssumeRoleARNs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	for arn, want := range map[string]string{
		"arn:aws:iam::000000000000:role/r":         "arn:aws:sts::000000000000:assumed-role/r/s1",
		"arn:aws:iam::123456789012:role/path/to/r": "arn:aws:sts::123456789012:assumed-role/r/s1",
		"arn:aws:iam::000000000000:role/a.b@c=d,e": "arn:aws:sts::000000000000:assumed-role/a.b@c=d,e/s1",
		"arn:aws:iam::000000000000:user/u":         "",
		"arn:aws:iam::00000000000:role/r":          "",
		"arn:aws:iam::000000000000:role/":          "",
		"arn:aws:s3:::bucket/role/rrrrrr":          "",
		"arn:aws:iam::000000000000:role/has space": "",
	} {
		status, body := f.call(t, awsproto.Caller{}, "Action", "AssumeRole", "RoleArn", arn, "RoleSessionName", "s1")
		if want == "" {
			if status != 400 || !strings.Contains(string(body), "<Code>ValidationError</Code>") ||
				!strings.Contains(string(body), "<Message>"+arn+" is invalid</Message>") {
				t.Errorf("AssumeRole(%s): HTTP %d\n%s", arn, status, body)
			}
			continue
		}
		if status != 200 || !strings.Contains(string(body), "<Arn>"+want+"</Arn>") {
			t.Errorf("AssumeRole(%s): HTTP %d, want ARN %s\n%s", arn, status, want, body)
		}
	}
}

func TestGetCallerIdentityReportsTheCaller(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	for _, tc := range []struct {
		caller awsproto.Caller
		want   string
	}{
		{awsproto.Caller{}, "<UserId>000000000000</UserId><Account>000000000000</Account><Arn>arn:aws:iam::000000000000:root</Arn>"},
		{awsproto.Caller{Account: "123456789012"}, "<Arn>arn:aws:iam::123456789012:root</Arn>"},
		{awsproto.Caller{Account: "000000000000", ARN: "arn:aws:sts::000000000000:assumed-role/r/s", UserID: "AROAX:s"},
			"<UserId>AROAX:s</UserId><Account>000000000000</Account><Arn>arn:aws:sts::000000000000:assumed-role/r/s</Arn>"},
	} {
		status, body := f.call(t, tc.caller, "Action", "GetCallerIdentity")
		if status != 200 || !strings.Contains(string(body), tc.want) {
			t.Errorf("caller %+v: HTTP %d\n%s\nwant %s", tc.caller, status, body, tc.want)
		}
	}
	status, body := f.call(t, awsproto.Caller{SessionToken: "tok", AccessKeyID: "ASIAX"}, "Action", "GetSessionToken")
	if status != 403 || !strings.Contains(string(body), "<Code>AccessDenied</Code>") {
		t.Errorf("GetSessionToken with a session token: HTTP %d\n%s", status, body)
	}
}
