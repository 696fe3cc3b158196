package lambda

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestPermissions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("p")
	f.ok(201, nil, "POST", "/2015-03-31/functions/p/versions", map[string]any{})
	f.ok(201, nil, "POST", "/2015-03-31/functions/p/aliases", map[string]any{"Name": "live", "FunctionVersion": "1"})

	var added struct{ Statement string }
	f.ok(201, &added, "POST", "/2015-03-31/functions/p/policy", map[string]any{
		"StatementId": "s3", "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com",
		"SourceArn": "arn:aws:s3:::bucket", "SourceAccount": "123456789012",
	})
	want := `{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction",` +
		`"Resource":"arn:aws:lambda:us-east-1:000000000000:function:p",` +
		`"Condition":{"StringEquals":{"AWS:SourceAccount":"123456789012"},"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::bucket"}}}`
	if added.Statement != want {
		t.Errorf("Statement =\n%s\nwant\n%s", added.Statement, want)
	}
	f.ok(201, nil, "POST", "/2015-03-31/functions/p/policy", map[string]any{"StatementId": "acct", "Action": "lambda:GetFunction", "Principal": "111122223333"})
	f.ok(201, nil, "POST", "/2015-03-31/functions/p/policy", map[string]any{"StatementId": "any", "Action": "lambda:*", "Principal": "*"})
	msg := f.fails("ResourceConflictException", 409, "POST", "/2015-03-31/functions/p/policy",
		map[string]any{"StatementId": "s3", "Action": "lambda:InvokeFunction", "Principal": "sns.amazonaws.com"})
	if msg != "The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing statement." {
		t.Errorf("message %q", msg)
	}
	var pol struct{ Policy, RevisionId string }
	f.ok(200, &pol, "GET", "/2015-03-31/functions/p/policy", nil)
	var doc struct {
		Version, Id string
		Statement   []struct {
			Sid       string
			Principal any
		}
	}
	if err := json.Unmarshal([]byte(pol.Policy), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2012-10-17" || doc.Id != "default" || len(doc.Statement) != 3 || doc.Statement[0].Sid != "s3" ||
		mustJSON(t, doc.Statement[1].Principal) != `{"AWS":"arn:aws:iam::111122223333:root"}` || doc.Statement[2].Principal != "*" || pol.RevisionId == "" {
		t.Errorf("GetPolicy = %s", pol.Policy)
	}
	// Versions and aliases have policies of their own; $LATEST cannot.
	f.ok(201, &added, "POST", "/2015-03-31/functions/p/policy?Qualifier=live", map[string]any{"StatementId": "x", "Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com"})
	if !strings.Contains(added.Statement, `"Resource":"arn:aws:lambda:us-east-1:000000000000:function:p:live"`) {
		t.Errorf("alias statement = %s", added.Statement)
	}
	msg = f.fails("InvalidParameterValueException", 400, "POST", "/2015-03-31/functions/p/policy?Qualifier=$LATEST",
		map[string]any{"StatementId": "x", "Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com"})
	if msg != "We currently do not support adding policies for $LATEST." {
		t.Errorf("message %q", msg)
	}
	f.fails("ResourceNotFoundException", 404, "POST", "/2015-03-31/functions/p/policy?Qualifier=7",
		map[string]any{"StatementId": "x", "Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com"})
	msg = f.fails("ResourceNotFoundException", 404, "GET", "/2015-03-31/functions/p/policy?Qualifier=1", nil)
	if msg != "The resource you requested does not exist." {
		t.Errorf("message %q", msg)
	}
	// Removal, with the policy's revision.
	f.fails("PreconditionFailedException", 412, "DELETE", "/2015-03-31/functions/p/policy/acct?RevisionId=old", nil)
	f.ok(204, nil, "DELETE", "/2015-03-31/functions/p/policy/acct?RevisionId="+pol.RevisionId, nil)
	msg = f.fails("ResourceNotFoundException", 404, "DELETE", "/2015-03-31/functions/p/policy/acct", nil)
	if msg != "Statement acct is not found in resource policy." {
		t.Errorf("message %q", msg)
	}
	f.ok(204, nil, "DELETE", "/2015-03-31/functions/p/policy/x?Qualifier=live", nil)
	f.fails("ResourceNotFoundException", 404, "GET", "/2015-03-31/functions/p/policy?Qualifier=live", nil)
	f.fails("ResourceNotFoundException", 404, "GET", "/2015-03-31/functions/none/policy", nil)
	// Too large: 20 KB.
	for i := 0; ; i++ {
		r := f.do("POST", "/2015-03-31/functions/p/policy", map[string]any{"StatementId": "big" + strings.Repeat("x", 90) + string(rune('a'+i%26)) + string(rune('a'+i/26)),
			"Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com", "SourceArn": "arn:aws:s3:::" + strings.Repeat("b", 200)})
		if r.Status == 201 {
			continue
		}
		if code, msg := r.errorCode(t); code != "PolicyLengthExceededException" || !strings.HasSuffix(msg, "is bigger than the limit (20480).") {
			t.Errorf("HTTP %d %s %s", r.Status, code, msg)
		}
		break
	}
}

func TestTags(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("tagged", "Tags", map[string]string{"a": "1"})
	arn := "arn:aws:lambda:us-east-1:000000000000:function:tagged"
	f.ok(204, nil, "POST", "/2017-03-31/tags/"+arn, map[string]any{"Tags": map[string]string{"b": "2", "a": "one"}})
	var tags struct{ Tags map[string]string }
	f.ok(200, &tags, "GET", "/2017-03-31/tags/"+arn, nil)
	if len(tags.Tags) != 2 || tags.Tags["a"] != "one" || tags.Tags["b"] != "2" {
		t.Errorf("ListTags = %v", tags.Tags)
	}
	f.ok(204, nil, "DELETE", "/2017-03-31/tags/"+arn+"?tagKeys=a&tagKeys=zz", nil)
	tags.Tags = nil
	f.ok(200, &tags, "GET", "/2017-03-31/tags/"+arn, nil)
	if len(tags.Tags) != 1 || tags.Tags["b"] != "2" {
		t.Errorf("after UntagResource: %v", tags.Tags)
	}
	f.ok(204, nil, "DELETE", "/2017-03-31/tags/"+arn+"?tagKeys=b", nil)
	r := f.ok(200, nil, "GET", "/2017-03-31/tags/"+arn, nil)
	if string(r.Body) != `{"Tags":{}}` {
		t.Errorf("no tags: %s", r.Body)
	}
	msg := f.fails("ResourceNotFoundException", 404, "GET", "/2017-03-31/tags/arn:aws:lambda:us-east-1:000000000000:function:none", nil)
	if msg != "Function not found: arn:aws:lambda:us-east-1:000000000000:function:none" {
		t.Errorf("message %q", msg)
	}
	f.fails("InvalidParameterValueException", 400, "POST", "/2017-03-31/tags/"+arn+":1", map[string]any{"Tags": map[string]string{"x": "y"}})
	f.fails("InvalidParameterValueException", 400, "POST", "/2017-03-31/tags/"+arn, map[string]any{"Tags": map[string]string{"aws:x": "y"}})
}

func TestListFunctions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, n := range []string{"c", "a", "b-2", "b", "d"} {
		f.create(n)
	}
	f.ok(201, nil, "POST", "/2015-03-31/functions/b/versions", map[string]any{})
	var names []string
	marker := ""
	for pages := 0; ; pages++ {
		var page struct {
			Functions  []functionConfig
			NextMarker string
		}
		target := "/2015-03-31/functions/?MaxItems=2"
		if marker != "" {
			target += "&Marker=" + marker
		}
		f.ok(200, &page, "GET", target, nil)
		for _, fn := range page.Functions {
			names = append(names, fn.FunctionName+"@"+fn.Version)
		}
		if page.NextMarker == "" || pages > 5 {
			break
		}
		marker = page.NextMarker
	}
	if got := strings.Join(names, " "); got != "a@$LATEST b@$LATEST b-2@$LATEST c@$LATEST d@$LATEST" {
		t.Errorf("ListFunctions pages = %s", got)
	}
	var all struct{ Functions []functionConfig }
	f.ok(200, &all, "GET", "/2015-03-31/functions/?FunctionVersion=ALL", nil)
	if len(all.Functions) != 6 || all.Functions[2].FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:b:1" {
		t.Errorf("ListFunctions ALL: %d functions", len(all.Functions))
	}
	// ListFunctions leaves out the state fields, which GetFunction and
	// GetFunctionConfiguration report.
	for _, fn := range all.Functions {
		if fn.State != "" || fn.StateReason != "" || fn.StateReasonCode != "" || fn.LastUpdateStatus != "" ||
			fn.LastUpdateStatusReason != "" || fn.LastUpdateStatusReasonCode != "" || fn.CodeSha256 == "" || fn.Runtime == "" {
			t.Errorf("ListFunctions item %s:%s: %+v", fn.FunctionName, fn.Version, fn)
		}
	}
	var got functionConfig
	f.ok(200, &got, "GET", "/2015-03-31/functions/a/configuration", nil)
	if got.State != "Active" || got.LastUpdateStatus != "Successful" {
		t.Errorf("GetFunctionConfiguration after the list: State %q, LastUpdateStatus %q", got.State, got.LastUpdateStatus)
	}
	f.fails("InvalidParameterValueException", 400, "GET", "/2015-03-31/functions/?Marker=***", nil)
	empty := newFixture(t)
	r := empty.ok(200, nil, "GET", "/2015-03-31/functions/", nil)
	if string(r.Body) != `{"Functions":[]}` {
		t.Errorf("no functions: %s", r.Body)
	}
}

func TestStatePersists(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("keep", "Tags", map[string]string{"k": "v"})
	f.ok(201, nil, "POST", "/2015-03-31/functions/keep/versions", map[string]any{})
	f.ok(201, nil, "POST", "/2015-03-31/functions/keep/aliases", map[string]any{"Name": "live", "FunctionVersion": "1"})
	f.ok(201, nil, "POST", "/2015-03-31/functions/keep/policy", map[string]any{"StatementId": "s", "Action": "lambda:InvokeFunction", "Principal": "*"})
	f.ok(201, nil, "POST", "/2018-10-31/layers/l/versions", map[string]any{"Content": map[string]any{"ZipFile": b64(makeZip(t, zf{name: "x", body: "x"}))}})
	var before struct {
		Configuration functionConfig
		Tags          map[string]string
	}
	f.ok(200, &before, "GET", "/2015-03-31/functions/keep", nil)

	f.dataDir = t.TempDir() // and the cache is gone too
	f.start()
	var after struct {
		Configuration functionConfig
		Tags          map[string]string
	}
	f.ok(200, &after, "GET", "/2015-03-31/functions/keep", nil)
	if !equalJSON(t, before, after) {
		t.Errorf("after restart:\n%+v\nwas\n%+v", after, before)
	}
	f.ok(200, nil, "GET", "/2015-03-31/functions/keep/aliases/live", nil)
	f.ok(200, nil, "GET", "/2015-03-31/functions/keep/policy", nil)
	f.ok(200, nil, "GET", "/2018-10-31/layers/l/versions/1", nil)
	r := f.ok(200, nil, "POST", "/2015-03-31/functions/keep:live/invocations", []byte(`{}`))
	if r.Header.Get("X-Amz-Executed-Version") != "1" {
		t.Errorf("executed %s", r.Header.Get("X-Amz-Executed-Version"))
	}
}

func TestListFunctionsReturnsAtMost50(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for i := range maxListItems + 2 {
		f.create(fmt.Sprintf("fn-%02d", i))
	}
	f.ok(201, nil, "POST", "/2015-03-31/functions/fn-00/versions", map[string]any{})
	for _, target := range []string{"/2015-03-31/functions/?MaxItems=1000", "/2015-03-31/functions/"} {
		var page struct {
			Functions  []functionConfig
			NextMarker string
		}
		f.ok(200, &page, "GET", target, nil)
		if len(page.Functions) != maxListItems || page.NextMarker == "" {
			t.Errorf("GET %s: %d functions, NextMarker %q", target, len(page.Functions), page.NextMarker)
		}
		var rest struct{ Functions []functionConfig }
		f.ok(200, &rest, "GET", "/2015-03-31/functions/?Marker="+page.NextMarker, nil)
		if len(rest.Functions) != 2 || rest.Functions[1].FunctionName != fmt.Sprintf("fn-%02d", maxListItems+1) {
			t.Errorf("after GET %s: %d functions", target, len(rest.Functions))
		}
	}
	var small struct{ Functions []functionConfig }
	f.ok(200, &small, "GET", "/2015-03-31/functions/?MaxItems=3", nil)
	if len(small.Functions) != 3 {
		t.Errorf("MaxItems=3: %d functions", len(small.Functions))
	}
}
