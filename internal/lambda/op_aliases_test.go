package lambda

import (
	"testing"
)

type aliasConfig struct {
	AliasArn, Name, FunctionVersion, Description, RevisionId string
	RoutingConfig                                            *struct{ AdditionalVersionWeights map[string]float64 }
}

func TestAliases(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("al")
	f.ok(201, nil, "POST", "/2015-03-31/functions/al/versions", map[string]any{})
	f.ok(200, nil, "PUT", "/2015-03-31/functions/al/configuration", map[string]any{"MemorySize": 256})
	f.ok(201, nil, "POST", "/2015-03-31/functions/al/versions", map[string]any{})

	var a aliasConfig
	f.ok(201, &a, "POST", "/2015-03-31/functions/al/aliases", map[string]any{"Name": "live", "FunctionVersion": "1", "Description": "prod",
		"RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]float64{"2": 0.25}}})
	if a.AliasArn != "arn:aws:lambda:us-east-1:000000000000:function:al:live" || a.FunctionVersion != "1" || a.Description != "prod" ||
		a.RoutingConfig == nil || a.RoutingConfig.AdditionalVersionWeights["2"] != 0.25 || a.RevisionId == "" {
		t.Errorf("CreateAlias = %+v", a)
	}
	var got aliasConfig
	f.ok(200, &got, "GET", "/2015-03-31/functions/al/aliases/live", nil)
	if !equalJSON(t, got, a) {
		t.Errorf("GetAlias = %+v, want %+v", got, a)
	}
	msg := f.fails("ResourceConflictException", 409, "POST", "/2015-03-31/functions/al/aliases", map[string]any{"Name": "live", "FunctionVersion": "1"})
	if msg != "Alias already exists: arn:aws:lambda:us-east-1:000000000000:function:al:live" {
		t.Errorf("message %q", msg)
	}
	msg = f.fails("ValidationException", 400, "POST", "/2015-03-31/functions/al/aliases", map[string]any{"Name": "123", "FunctionVersion": "1"})
	if msg != "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)" {
		t.Errorf("message %q", msg)
	}
	msg = f.fails("ResourceNotFoundException", 404, "POST", "/2015-03-31/functions/al/aliases", map[string]any{"Name": "x", "FunctionVersion": "7"})
	if msg != "Function not found: arn:aws:lambda:us-east-1:000000000000:function:al:7" {
		t.Errorf("message %q", msg)
	}
	for _, rc := range []map[string]float64{{"2": 1.5}, {"7": 0.5}, {"1": 0.5}, {"$LATEST": 0.5}} {
		f.fails("", 0, "POST", "/2015-03-31/functions/al/aliases", map[string]any{"Name": "bad", "FunctionVersion": "1",
			"RoutingConfig": map[string]any{"AdditionalVersionWeights": rc}})
	}
	f.fails("InvalidParameterValueException", 400, "POST", "/2015-03-31/functions/al/aliases", map[string]any{"Name": "bad", "FunctionVersion": "$LATEST",
		"RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]float64{"2": 0.5}}})

	// Update: the version, the routing, preconditions.
	f.fails("PreconditionFailedException", 412, "PUT", "/2015-03-31/functions/al/aliases/live", map[string]any{"RevisionId": "old"})
	var up aliasConfig
	f.ok(200, &up, "PUT", "/2015-03-31/functions/al/aliases/live", map[string]any{"FunctionVersion": "2", "RevisionId": a.RevisionId,
		"RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]float64{}}})
	if up.FunctionVersion != "2" || up.RoutingConfig != nil || up.Description != "prod" || up.RevisionId == a.RevisionId {
		t.Errorf("UpdateAlias = %+v", up)
	}
	f.ok(201, nil, "POST", "/2015-03-31/functions/al/aliases", map[string]any{"Name": "dev", "FunctionVersion": "$LATEST"})
	var list struct{ Aliases []aliasConfig }
	f.ok(200, &list, "GET", "/2015-03-31/functions/al/aliases", nil)
	if len(list.Aliases) != 2 || list.Aliases[0].Name != "dev" || list.Aliases[1].Name != "live" {
		t.Errorf("ListAliases = %+v", list)
	}
	f.ok(200, &list, "GET", "/2015-03-31/functions/al/aliases?FunctionVersion=2", nil)
	if len(list.Aliases) != 1 || list.Aliases[0].Name != "live" {
		t.Errorf("ListAliases for version 2 = %+v", list)
	}
	// An alias is a qualifier for reads.
	var cfg functionConfig
	f.ok(200, &cfg, "GET", "/2015-03-31/functions/al:live/configuration", nil)
	if cfg.Version != "2" || cfg.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:al:live" {
		t.Errorf("configuration through the alias = %s %s", cfg.Version, cfg.FunctionArn)
	}
	f.ok(204, nil, "DELETE", "/2015-03-31/functions/al/aliases/live", nil)
	msg = f.fails("ResourceNotFoundException", 404, "GET", "/2015-03-31/functions/al/aliases/live", nil)
	if msg != "Cannot find alias arn: arn:aws:lambda:us-east-1:000000000000:function:al:live" {
		t.Errorf("message %q", msg)
	}
	f.fails("ResourceNotFoundException", 404, "DELETE", "/2015-03-31/functions/al/aliases/live", nil)
	f.fails("ResourceNotFoundException", 404, "GET", "/2015-03-31/functions/none/aliases", nil)
}
