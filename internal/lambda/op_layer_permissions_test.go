package lambda

import (
	"testing"
)

func TestLayerVersionPermissions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	zip := makeZip(t, zf{name: "python/lib.py", body: "X = 1\n"})
	f.ok(201, nil, "POST", "/2018-10-31/layers/libs/versions", map[string]any{"Content": map[string]any{"ZipFile": b64(zip)}})
	const path = "/2018-10-31/layers/libs/versions/1/policy"
	const arn = "arn:aws:lambda:us-east-1:000000000000:layer:libs:1"

	msg := f.fails("ResourceNotFoundException", 404, "GET", path, nil)
	if msg != "No policy is associated with the given resource." {
		t.Errorf("GetLayerVersionPolicy without a policy: %q", msg)
	}
	var added struct{ Statement, RevisionId string }
	f.ok(201, &added, "POST", path, map[string]any{"StatementId": "xaccount", "Action": "lambda:GetLayerVersion", "Principal": "210987654321"})
	want := `{"Sid":"xaccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"lambda:GetLayerVersion","Resource":"` + arn + `"}`
	if added.Statement != want || added.RevisionId == "" {
		t.Errorf("AddLayerVersionPermission = %+v, want Statement %s", added, want)
	}
	// The revision guards changes; each change makes a new one.
	f.fails("PreconditionFailedException", 412, "POST", path+"?RevisionId=stale",
		map[string]any{"StatementId": "org", "Action": "lambda:GetLayerVersion", "Principal": "*", "OrganizationId": "o-t194hfs8cz"})
	var org struct{ Statement, RevisionId string }
	f.ok(201, &org, "POST", path+"?RevisionId="+added.RevisionId,
		map[string]any{"StatementId": "org", "Action": "lambda:GetLayerVersion", "Principal": "*", "OrganizationId": "o-t194hfs8cz"})
	wantOrg := `{"Sid":"org","Effect":"Allow","Principal":"*","Action":"lambda:GetLayerVersion","Resource":"` + arn +
		`","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-t194hfs8cz"}}}`
	if org.Statement != wantOrg || org.RevisionId == added.RevisionId {
		t.Errorf("AddLayerVersionPermission with an organization = %+v, want Statement %s", org, wantOrg)
	}
	msg = f.fails("ResourceConflictException", 409, "POST", path, map[string]any{"StatementId": "org", "Action": "lambda:GetLayerVersion", "Principal": "*"})
	if msg != "The statement id (org) provided already exists. Please provide a new statement id, or remove the existing statement." {
		t.Errorf("duplicate statement: %q", msg)
	}

	// The policy survives a restart.
	f.start()
	var pol struct{ Policy, RevisionId string }
	f.ok(200, &pol, "GET", path, nil)
	if wantDoc := `{"Version":"2012-10-17","Id":"default","Statement":[` + want + `,` + wantOrg + `]}`; pol.Policy != wantDoc || pol.RevisionId != org.RevisionId {
		t.Errorf("GetLayerVersionPolicy = %+v, want %s", pol, wantDoc)
	}

	msg = f.fails("PreconditionFailedException", 412, "DELETE", path+"/org?RevisionId="+added.RevisionId, nil)
	if msg != "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id" {
		t.Errorf("stale revision: %q", msg)
	}
	f.ok(204, nil, "DELETE", path+"/org?RevisionId="+org.RevisionId, nil)
	msg = f.fails("ResourceNotFoundException", 404, "DELETE", path+"/org", nil)
	if msg != "Statement org is not found in resource policy." {
		t.Errorf("removing a removed statement: %q", msg)
	}
	f.ok(204, nil, "DELETE", path+"/xaccount", nil)
	f.fails("ResourceNotFoundException", 404, "GET", path, nil)

	// A layer or version that does not exist is named by its ARN.
	for p, arn := range map[string]string{
		"/2018-10-31/layers/libs/versions/2/policy": "arn:aws:lambda:us-east-1:000000000000:layer:libs:2",
		"/2018-10-31/layers/none/versions/1/policy": "arn:aws:lambda:us-east-1:000000000000:layer:none:1",
	} {
		msg = f.fails("ResourceNotFoundException", 404, "POST", p, map[string]any{"StatementId": "s", "Action": "lambda:GetLayerVersion", "Principal": "*"})
		if want := "Layer version " + arn + " does not exist."; msg != want {
			t.Errorf("%s: %q, want %q", p, msg, want)
		}
		f.fails("ResourceNotFoundException", 404, "GET", p, nil)
		f.fails("ResourceNotFoundException", 404, "DELETE", p+"/s", nil)
	}
	// The model allows one action, and principals that are accounts or everyone.
	msg = f.fails("ValidationException", 400, "POST", path, map[string]any{"StatementId": "s", "Action": "ListLayerVersions", "Principal": "*"})
	if msg != "1 validation error detected: Value 'ListLayerVersions' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: lambda:GetLayerVersion" {
		t.Errorf("other action: %q", msg)
	}
	f.fails("ValidationException", 400, "POST", path, map[string]any{"StatementId": "s", "Action": "lambda:GetLayerVersion", "Principal": "s3.amazonaws.com"})
	f.fails("ValidationException", 400, "POST", path, map[string]any{"StatementId": "a b", "Action": "lambda:GetLayerVersion", "Principal": "*"})
	f.ok(201, &added, "POST", path, map[string]any{"StatementId": "root", "Action": "lambda:GetLayerVersion", "Principal": "arn:aws:iam::210987654321:root"})
	if want := `"Principal":{"AWS":"arn:aws:iam::210987654321:root"}`; !contains(added.Statement, want) {
		t.Errorf("root ARN principal: %s", added.Statement)
	}
}
