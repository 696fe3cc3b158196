package ssm

import (
	"testing"
	"time"
)

func TestParsePolicies(t *testing.T) {
	got, err := parsePolicies(`[ {"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2019-11-01T22:13:48.87+10:30:00"}},
		{"Type":"ExpirationNotification","Version":"1.0","Attributes":{"Before":"15","Unit":"Days"}},
		{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"20","Unit":"Hours"}} ]`)
	if err != nil || len(got) != 3 {
		t.Fatal(got, err)
	}
	at := time.Date(2019, 11, 1, 22, 13, 48, 870_000_000, time.FixedZone("", 10*3600+30*60)).UnixMilli()
	if got[0].At != at || got[0].Text != `{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2019-11-01T22:13:48.87+10:30:00"}}` {
		t.Errorf("expiration: %+v", got[0])
	}
	if got[1].Offset != (15*24*time.Hour).Milliseconds() || got[2].Offset != (20*time.Hour).Milliseconds() {
		t.Errorf("offsets: %+v", got)
	}
	v := &version{Modified: 1000, Policies: got}
	exp := expirationOf(v)
	for i, want := range []int64{at, at - (15 * 24 * time.Hour).Milliseconds(), 1000 + (20 * time.Hour).Milliseconds()} {
		if due, ok := v.Policies[i].due(v, exp); !ok || due != want {
			t.Errorf("%s due %d, want %d", v.Policies[i].Type, due, want)
		}
	}
	// A notification of an expiration that is not set never acts.
	lone, _ := parsePolicies(`[{"Type":"ExpirationNotification","Version":"1.0","Attributes":{"Before":"1","Unit":"Hours"}}]`)
	if _, ok := lone[0].due(&version{Policies: lone}, 0); ok {
		t.Error("ExpirationNotification without Expiration is due")
	}

	for in, code := range map[string]string{
		`[{"Type":"Expiration","Version":"2.0","Attributes":{"Timestamp":"2019-11-01T00:00:00Z"}}]`:  "InvalidPolicyAttributeException",
		`[{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"0","Unit":"Days"}}]`: "InvalidPolicyAttributeException",
		`[{"Type":"Nope","Version":"1.0"}]`: "InvalidPolicyTypeException",
		`[` + repeatPolicy(11) + `]`:        "PoliciesLimitExceededException",
	} {
		if _, err := parsePolicies(in); err == nil || !hasCode(err, code) {
			t.Errorf("%.60s: %v, want %s", in, err, code)
		}
	}
}

func repeatPolicy(n int) string {
	s := ""
	for i := range n {
		if i > 0 {
			s += ","
		}
		s += `{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2019-11-01T00:00:00Z"}}`
	}
	return s
}

func hasCode(err error, code string) bool {
	return err != nil && len(err.Error()) >= len(code) && err.Error()[:len(code)] == code
}
