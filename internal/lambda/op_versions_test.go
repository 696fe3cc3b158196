package lambda

import (
	"testing"
)

func TestPublishAndListVersions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	created := f.create("v")
	var v1 functionConfig
	f.ok(201, &v1, "POST", "/2015-03-31/functions/v/versions", map[string]any{"Description": "first"})
	if v1.Version != "1" || v1.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:v:1" || v1.Description != "first" ||
		v1.CodeSha256 != created.CodeSha256 || v1.RevisionId == created.RevisionId || v1.State != "Active" {
		t.Errorf("PublishVersion = %+v", v1)
	}
	// Nothing changed: the same version again.
	var same functionConfig
	f.ok(201, &same, "POST", "/2015-03-31/functions/v/versions", map[string]any{})
	if same.Version != "1" || same.RevisionId != v1.RevisionId {
		t.Errorf("publishing an unchanged $LATEST gave version %s", same.Version)
	}
	f.ok(200, nil, "PUT", "/2015-03-31/functions/v/configuration", map[string]any{"MemorySize": 256})
	var v2 functionConfig
	f.ok(201, &v2, "POST", "/2015-03-31/functions/v/versions", map[string]any{})
	if v2.Version != "2" || v2.MemorySize != 256 || v2.Description != "" {
		t.Errorf("second version = %+v", v2)
	}
	// Preconditions.
	msg := f.fails("InvalidParameterValueException", 400, "POST", "/2015-03-31/functions/v/versions", map[string]any{"CodeSha256": "nope"})
	if want := "CodeSHA256 (nope) is different from current CodeSHA256 in $LATEST (" + created.CodeSha256 + "). Please try again with the CodeSHA256 in $LATEST."; msg != want {
		t.Errorf("message %q, want %q", msg, want)
	}
	f.fails("PreconditionFailedException", 412, "POST", "/2015-03-31/functions/v/versions", map[string]any{"RevisionId": "old"})
	f.fails("ResourceNotFoundException", 404, "POST", "/2015-03-31/functions/none/versions", map[string]any{})

	var list struct {
		Versions   []functionConfig
		NextMarker string
	}
	f.ok(200, &list, "GET", "/2015-03-31/functions/v/versions", nil)
	if len(list.Versions) != 3 || list.Versions[0].Version != "$LATEST" || list.Versions[0].FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:v:$LATEST" ||
		list.Versions[1].Version != "1" || list.Versions[2].Version != "2" || list.NextMarker != "" {
		t.Errorf("ListVersionsByFunction = %+v", list)
	}
	f.ok(200, &list, "GET", "/2015-03-31/functions/v/versions?MaxItems=2", nil)
	if len(list.Versions) != 2 || list.NextMarker == "" {
		t.Fatalf("first page: %d versions, marker %q", len(list.Versions), list.NextMarker)
	}
	marker := list.NextMarker
	list.NextMarker = ""
	f.ok(200, &list, "GET", "/2015-03-31/functions/v/versions?MaxItems=2&Marker="+marker, nil)
	if len(list.Versions) != 1 || list.Versions[0].Version != "2" || list.NextMarker != "" {
		t.Errorf("second page: %+v", list)
	}

	// Versions can be read, and deleted unless an alias uses them;
	// numbers are not reused.
	var got functionConfig
	f.ok(200, &got, "GET", "/2015-03-31/functions/v/configuration?Qualifier=1", nil)
	if got.Version != "1" || got.MemorySize != 128 {
		t.Errorf("version 1 = %+v", got)
	}
	f.ok(201, nil, "POST", "/2015-03-31/functions/v/aliases", map[string]any{"Name": "live", "FunctionVersion": "1"})
	msg = f.fails("ResourceConflictException", 409, "DELETE", "/2015-03-31/functions/v?Qualifier=1", nil)
	if msg != "Unable to delete version because the following aliases reference it: [live]" {
		t.Errorf("message %q", msg)
	}
	f.ok(204, nil, "DELETE", "/2015-03-31/functions/v?Qualifier=2", nil)
	if r := f.fns.retirements(); len(r) == 0 || r[len(r)-1] != "arn:aws:lambda:us-east-1:000000000000:function:v:2#" {
		t.Errorf("retired %v after deleting version 2", r)
	}
	f.fails("ResourceNotFoundException", 404, "GET", "/2015-03-31/functions/v/configuration?Qualifier=2", nil)
	f.ok(200, nil, "PUT", "/2015-03-31/functions/v/configuration", map[string]any{"MemorySize": 1024})
	f.ok(201, &got, "POST", "/2015-03-31/functions/v/versions", map[string]any{})
	if got.Version != "3" {
		t.Errorf("after deleting version 2, the next is %s, want 3", got.Version)
	}
	msg = f.fails("InvalidParameterValueException", 400, "DELETE", "/2015-03-31/functions/v?Qualifier=$LATEST", nil)
	if msg != "$LATEST version cannot be deleted without deleting the function." {
		t.Errorf("message %q", msg)
	}
	f.fails("ResourceNotFoundException", 404, "DELETE", "/2015-03-31/functions/v?Qualifier=9", nil)
	f.fails("InvalidParameterValueException", 400, "DELETE", "/2015-03-31/functions/v:1?Qualifier=2", nil)
}

func TestDeleteFunction(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("gone", "Tags", map[string]string{"a": "b"})
	f.ok(201, nil, "POST", "/2015-03-31/functions/gone/versions", map[string]any{})
	f.ok(201, nil, "POST", "/2015-03-31/functions/gone/aliases", map[string]any{"Name": "a", "FunctionVersion": "1"})
	f.ok(200, nil, "PUT", "/2017-10-31/functions/gone/concurrency", map[string]any{"ReservedConcurrentExecutions": 5})
	f.ok(202, nil, "POST", "/2015-03-31/functions/gone/invocations", []byte(`{}`), "X-Amz-Invocation-Type", "Event")
	f.ok(204, nil, "DELETE", "/2015-03-31/functions/gone", nil)
	msg := f.fails("ResourceNotFoundException", 404, "GET", "/2015-03-31/functions/gone", nil)
	if msg != "Function not found: arn:aws:lambda:us-east-1:000000000000:function:gone" {
		t.Errorf("message %q", msg)
	}
	if r := f.fns.retirements(); len(r) != 1 || r[0] != "arn:aws:lambda:us-east-1:000000000000:function:gone:" {
		t.Errorf("retired %v", r)
	}
	for _, p := range [][]byte{lambdaKey("fn"), lambdaKey("code"), lambdaKey("queue")} {
		if n := countKeys(t, f, p); n != 0 {
			t.Errorf("%d keys left under %q", n, p)
		}
	}
	var settings struct {
		AccountLimit struct{ UnreservedConcurrentExecutions int }
	}
	f.ok(200, &settings, "GET", "/2016-08-19/account-settings/", nil)
	if settings.AccountLimit.UnreservedConcurrentExecutions != 1000 {
		t.Errorf("the deleted function's reservation is still counted: %+v", settings)
	}
	f.fails("ResourceNotFoundException", 404, "DELETE", "/2015-03-31/functions/gone", nil)
}

func TestPublishVersionSeesDescriptionChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("d")
	var v functionConfig
	f.ok(201, &v, "POST", "/2015-03-31/functions/d/versions", map[string]any{"Description": "given to the version"})
	f.ok(201, &v, "POST", "/2015-03-31/functions/d/versions", map[string]any{"Description": "another"})
	if v.Version != "1" {
		t.Errorf("a version's own description counts as a change: version %s", v.Version)
	}
	f.ok(200, nil, "PUT", "/2015-03-31/functions/d/configuration", map[string]any{"Description": "changed"})
	f.ok(201, &v, "POST", "/2015-03-31/functions/d/versions", map[string]any{})
	if v.Version != "2" || v.Description != "changed" {
		t.Errorf("after a description change: version %s %q", v.Version, v.Description)
	}
}
