package lambda

import (
	"os"
	"testing"
	"time"
)

func TestUpdateFunctionCode(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	created := f.create("fn")
	f.clock.Advance(time.Minute)
	newZip := bootstrapZip(t, zf{name: "extra.txt", body: "v2"})

	// A stale RevisionId is refused.
	f.fails("PreconditionFailedException", 412, "PUT", "/2015-03-31/functions/fn/code",
		map[string]any{"ZipFile": b64(newZip), "RevisionId": "stale"})

	// DryRun checks and changes nothing.
	var dry functionConfig
	f.ok(200, &dry, "PUT", "/2015-03-31/functions/fn/code", map[string]any{"ZipFile": b64(newZip), "DryRun": true})
	var still functionConfig
	f.ok(200, &still, "GET", "/2015-03-31/functions/fn/configuration", nil)
	if still.CodeSha256 != created.CodeSha256 || dry.CodeSha256 == created.CodeSha256 {
		t.Errorf("DryRun changed the code (%s → %s) or reported none (%s)", created.CodeSha256, still.CodeSha256, dry.CodeSha256)
	}

	// CreateFunction's revision is the Pending function's, stale once it
	// is Active.
	f.fails("PreconditionFailedException", 412, "PUT", "/2015-03-31/functions/fn/code",
		map[string]any{"ZipFile": b64(newZip), "RevisionId": created.RevisionId})
	active := f.revision("fn")
	var updated functionConfig
	f.ok(200, &updated, "PUT", "/2015-03-31/functions/fn/code",
		map[string]any{"ZipFile": b64(newZip), "RevisionId": active, "Architectures": []string{"arm64"}})
	if updated.CodeSha256 == created.CodeSha256 || updated.CodeSize != int64(len(newZip)) || updated.RevisionId == active ||
		updated.LastModified != "2024-03-04T05:07:07.890+0000" || updated.Architectures[0] != "arm64" {
		t.Errorf("UpdateFunctionCode = %+v", updated)
	}
	if updated.State != "Active" || updated.LastUpdateStatus != "InProgress" || updated.LastUpdateStatusReasonCode != "Creating" {
		t.Errorf("UpdateFunctionCode reports %s / %s (%s)", updated.State, updated.LastUpdateStatus, updated.LastUpdateStatusReasonCode)
	}
	var after functionConfig
	f.ok(200, &after, "GET", "/2015-03-31/functions/fn/configuration", nil)
	// The update's completion gave the function another revision.
	if after.LastUpdateStatus != "Successful" || after.CodeSha256 != updated.CodeSha256 || after.RevisionId == updated.RevisionId ||
		after.RevisionId == active {
		t.Errorf("after the update: %+v", after)
	}
	// The first package is no longer used: it is gone from the store and
	// the cache.
	if n := countKeys(t, f, lambdaKey("code")); n == 0 {
		t.Fatal("no code stored")
	}
	entries, _ := os.ReadDir(f.svc.codeRoot)
	if len(entries) != 2 { // one directory and its size marker
		t.Errorf("cache holds %d entries after the update, want the new package only", len(entries))
	}

	// Publish publishes the new code as version 1.
	var pub functionConfig
	f.ok(200, &pub, "PUT", "/2015-03-31/functions/fn/code", map[string]any{"ZipFile": b64(bootstrapZip(t, zf{name: "v3"})), "Publish": true})
	if pub.Version != "1" || pub.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:fn:1" {
		t.Errorf("UpdateFunctionCode with Publish: %s %s", pub.Version, pub.FunctionArn)
	}

	// Errors.
	f.fails("ResourceNotFoundException", 404, "PUT", "/2015-03-31/functions/nope/code", map[string]any{"ZipFile": b64(newZip)})
	f.fails("InvalidParameterValueException", 400, "PUT", "/2015-03-31/functions/fn/code", map[string]any{"ImageUri": "x"})
	f.fails("InvalidParameterValueException", 400, "PUT", "/2015-03-31/functions/fn/code",
		map[string]any{"ZipFile": b64(makeZip(t, zf{name: "/abs", body: "x"}))})
	f.fails("InvalidParameterValueException", 400, "PUT", "/2015-03-31/functions/fn:1/code", map[string]any{"ZipFile": b64(newZip)})
}

func TestUpdateFunctionConfiguration(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	created := f.create("cfg", "Environment", map[string]any{"Variables": map[string]string{"AA": "1"}})
	active := f.revision("cfg")
	var updated functionConfig
	f.ok(200, &updated, "PUT", "/2015-03-31/functions/cfg/configuration", map[string]any{
		"MemorySize": 512, "Timeout": 30, "Description": "new", "Handler": "other",
		"Environment": map[string]any{"Variables": map[string]string{"BB": "2"}}, "RevisionId": active,
	})
	if updated.MemorySize != 512 || updated.Timeout != 30 || updated.Description != "new" || updated.Handler != "other" ||
		updated.Environment.Variables["BB"] != "2" || updated.Environment.Variables["AA"] != "" ||
		updated.RevisionId == active || updated.LastUpdateStatus != "InProgress" || updated.CodeSha256 != created.CodeSha256 {
		t.Errorf("UpdateFunctionConfiguration = %+v", updated)
	}
	// Unset members are kept; an empty environment removes it.
	var again functionConfig
	f.ok(200, &again, "PUT", "/2015-03-31/functions/cfg/configuration", map[string]any{"Environment": map[string]any{"Variables": map[string]string{}}})
	if again.MemorySize != 512 || again.Environment != nil {
		t.Errorf("second update = %+v", again)
	}
	// Neither the revision the update answered with nor the one it
	// replaced is the function's now.
	for _, rev := range []string{active, updated.RevisionId} {
		f.fails("PreconditionFailedException", 412, "PUT", "/2015-03-31/functions/cfg/configuration", map[string]any{"RevisionId": rev})
	}
	f.ok(200, nil, "PUT", "/2015-03-31/functions/cfg/configuration", map[string]any{"RevisionId": f.revision("cfg")})
	f.fails("ValidationException", 400, "PUT", "/2015-03-31/functions/cfg/configuration", map[string]any{"MemorySize": 99999})
	f.fails("InvalidParameterValueException", 400, "PUT", "/2015-03-31/functions/cfg/configuration", map[string]any{"Runtime": "nodejs12.x"})
	f.fails("ResourceNotFoundException", 404, "PUT", "/2015-03-31/functions/none/configuration", map[string]any{})

	// A runtime the host cannot run is refused when it is interpreted
	// (python3, node, ruby, java missing), accepted otherwise (it fails when invoked).
	f.fns.mu.Lock()
	f.fns.missing = map[string]bool{"python3.13": true, "ruby3.3": true, "java21": true}
	f.fns.mu.Unlock()
	msg := f.fails("InvalidParameterValueException", 400, "PUT", "/2015-03-31/functions/cfg/configuration", map[string]any{"Runtime": "python3.13"})
	if msg != "python3.13 is not installed on this host." {
		t.Errorf("message = %q", msg)
	}
	f.fails("InvalidParameterValueException", 400, "PUT", "/2015-03-31/functions/cfg/configuration", map[string]any{"Runtime": "java21", "Handler": "example.Handler::handleRequest"})
	f.fails("InvalidParameterValueException", 400, "PUT", "/2015-03-31/functions/cfg/configuration", map[string]any{"Runtime": "ruby3.3", "Handler": "function.handler"})
	f.ok(200, nil, "PUT", "/2015-03-31/functions/cfg/configuration", map[string]any{"Runtime": "dotnet8", "Handler": "Assembly::Namespace.Class::Handler"})
	f.fails("InvalidParameterValueException", 400, "POST", "/2015-03-31/functions", createBody("py", bootstrapZip(t), "Runtime", "python3.13"))
	f.fails("InvalidParameterValueException", 400, "POST", "/2015-03-31/functions", createBody("rb", bootstrapZip(t), "Runtime", "ruby3.3"))
}

// countKeys counts the stored keys under prefix.
func countKeys(t testing.TB, f *fixture, prefix []byte) int {
	t.Helper()
	it, err := f.db.NewIter(prefix, append(prefix[:len(prefix):len(prefix)], 0xff))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for it.First(); it.Valid(); it.Next() {
		n++
	}
	return n
}
