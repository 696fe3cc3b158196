package template

import (
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// graphFor parses a template and builds its graph with the conditions its
// parameter overrides give.
func graphFor(t *testing.T, body string, overrides map[string]string) (*Graph, error) {
	t.Helper()
	tmpl := mustParse(t, body)
	vals, err := tmpl.ResolveParameters(overrides, testPseudo)
	if err != nil {
		t.Fatal(err)
	}
	conds, err := tmpl.EvalConditions(vals)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl.Graph(conds)
}

func TestGraphWebapp(t *testing.T) {
	t.Parallel()
	body := string(readTestdata(t, "webapp.yaml"))
	cases := []struct {
		stage           string
		create, destroy [][]string
	}{
		{"dev", [][]string{{"Bucket", "Queue"}, {"Worker"}}, [][]string{{"Worker"}, {"Bucket", "Queue"}}},
		{"prod", [][]string{{"Bucket", "Queue"}, {"Worker"}, {"Alarm"}}, [][]string{{"Alarm"}, {"Worker"}, {"Bucket", "Queue"}}},
	}
	for _, c := range cases {
		g, err := graphFor(t, body, map[string]string{"Stage": c.stage})
		if err != nil {
			t.Fatal(err)
		}
		if got := g.Waves(); !reflect.DeepEqual(got, c.create) {
			t.Errorf("%s: Waves %v, want %v", c.stage, got, c.create)
		}
		if got := g.DeletionWaves(); !reflect.DeepEqual(got, c.destroy) {
			t.Errorf("%s: DeletionWaves %v, want %v", c.stage, got, c.destroy)
		}
		if got := g.DependsOn("Worker"); !reflect.DeepEqual(got, []string{"Bucket", "Queue"}) {
			t.Errorf("%s: Worker depends on %v", c.stage, got)
		}
	}
}

// TestGraphSubSpacedNames: a Fn::Sub variable written with spaces
// around its name ("${ B }") is a dependency like "${B}".
func TestGraphSubSpacedNames(t *testing.T) {
	t.Parallel()
	g, err := graphFor(t, yamlDoc(
		"Resources:",
		"  C: {Type: T, Properties: {X: !Sub '${ B }/${ A.Arn}'}}",
		"  B: {Type: T}",
		"  A: {Type: T}",
	), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"B", "A"}, {"C"}}; !reflect.DeepEqual(g.Waves(), want) {
		t.Errorf("Waves %v, want %v", g.Waves(), want)
	}
}

func TestGraphDiamond(t *testing.T) {
	t.Parallel()
	g, err := graphFor(t, yamlDoc(
		"Resources:",
		"  D: {Type: T, Properties: {X: !Sub '${B}${C.Arn}'}}",
		"  C: {Type: T, Properties: {X: !GetAtt A.Arn}}",
		"  B: {Type: T, DependsOn: A}",
		"  A: {Type: T}",
		"  E: {Type: T, Properties: {X: !Ref AWS::Region}}",
	), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"A", "E"}, {"C", "B"}, {"D"}}; !reflect.DeepEqual(g.Waves(), want) {
		t.Errorf("Waves %v, want %v", g.Waves(), want)
	}
	if want := [][]string{{"D", "E"}, {"C", "B"}, {"A"}}; !reflect.DeepEqual(g.DeletionWaves(), want) {
		t.Errorf("DeletionWaves %v, want %v", g.DeletionWaves(), want)
	}
	if want := []string{"C", "B"}; !reflect.DeepEqual(g.Dependents("A"), want) {
		t.Errorf("Dependents(A) %v", g.Dependents("A"))
	}
	if want := []string{"D", "C", "B", "A", "E"}; !reflect.DeepEqual(g.Resources(), want) {
		t.Errorf("Resources %v", g.Resources())
	}
}

func TestGraphFollowsTheLiveIfBranch(t *testing.T) {
	t.Parallel()
	body := yamlDoc(
		"Parameters:",
		"  UseB: {Type: String, Default: 'yes'}",
		"Conditions:",
		"  C: !Equals [!Ref UseB, 'yes']",
		"Resources:",
		"  A: {Type: T, Properties: {X: !If [C, !Ref B, !GetAtt D.Arn]}}",
		"  B: {Type: T}",
		"  D: {Type: T}",
	)
	g, err := graphFor(t, body, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.DependsOn("A"); !reflect.DeepEqual(got, []string{"B"}) {
		t.Errorf("with C: A depends on %v", got)
	}
	g, err = graphFor(t, body, map[string]string{"UseB": "no"})
	if err != nil {
		t.Fatal(err)
	}
	if got := g.DependsOn("A"); !reflect.DeepEqual(got, []string{"D"}) {
		t.Errorf("without C: A depends on %v", got)
	}
}

func TestGraphSkipsResourcesWhoseConditionIsFalse(t *testing.T) {
	t.Parallel()
	body := yamlDoc(
		"Parameters:",
		"  Env: {Type: String, Default: dev}",
		"Conditions:",
		"  IsProd: !Equals [!Ref Env, prod]",
		"Resources:",
		"  Alarm: {Type: T, Condition: IsProd, Properties: {Topic: !Ref Topic}}",
		"  Topic: {Type: T}",
		"  Dashboard: {Type: T, Properties: {Alarm: !If [IsProd, !Ref Alarm, !Ref AWS::NoValue]}}",
	)
	g, err := graphFor(t, body, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"Topic", "Dashboard"}}; !reflect.DeepEqual(g.Waves(), want) {
		t.Errorf("Waves %v, want %v", g.Waves(), want)
	}
	g, err = graphFor(t, body, map[string]string{"Env": "prod"})
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"Topic"}, {"Alarm"}, {"Dashboard"}}; !reflect.DeepEqual(g.Waves(), want) {
		t.Errorf("Waves %v, want %v", g.Waves(), want)
	}
}

func TestGraphErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, resources, want string }{
		{"depends on a resource whose condition is false",
			"  A: {Type: T, Condition: Never}\n  B: {Type: T, Properties: {X: !Ref A}}\n",
			"Template format error: Unresolved resource dependencies [A] in the Resources block of the template"},
		{"DependsOn a resource whose condition is false",
			"  A: {Type: T, Condition: Never}\n  B: {Type: T, DependsOn: A}\n",
			"Template format error: Unresolved resource dependencies [A] in the Resources block of the template"},
		{"cycle",
			"  A: {Type: T, DependsOn: B}\n  B: {Type: T, Properties: {X: !Sub '${C}'}}\n  C: {Type: T, Properties: {X: !GetAtt A.Arn}}\n  D: {Type: T, DependsOn: C}\n",
			"Circular dependency between resources: [A, B, C]"},
		{"two cycles",
			"  A: {Type: T, DependsOn: B}\n  B: {Type: T, DependsOn: A}\n  C: {Type: T, DependsOn: C}\n",
			"Circular dependency between resources: [A, B, C]"},
		{"unknown condition",
			"  A: {Type: T, Condition: Nope}\n",
			"Template format error: Unresolved condition dependencies [Nope] in the Resources block of the template"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := graphFor(t, "Conditions:\n  Never: !Equals [a, b]\nResources:\n"+c.resources, nil)
			wantError(t, err, c.want)
		})
	}
}

// TestGraphWavesRandom checks the wave invariants on random acyclic
// templates: every resource is placed once, each depends only on earlier
// creation waves, and each is deleted only after all its dependents.
func TestGraphWavesRandom(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(1))
	for round := range 200 {
		n := 1 + rng.Intn(25)
		var b strings.Builder
		b.WriteString("Resources:\n")
		for i := range n {
			// Resources only depend on lower numbers: no cycle.
			var deps []string
			for j := range i {
				if rng.Intn(4) == 0 {
					deps = append(deps, fmt.Sprintf("R%d", j))
				}
			}
			fmt.Fprintf(&b, "  R%d:\n    Type: T\n", i)
			if len(deps) > 0 {
				switch rng.Intn(3) {
				case 0:
					fmt.Fprintf(&b, "    DependsOn: [%s]\n", strings.Join(deps, ", "))
				case 1:
					fmt.Fprintf(&b, "    Properties: {X: !Join ['', [%s]]}\n", "!Ref "+strings.Join(deps, ", !Ref "))
				default:
					fmt.Fprintf(&b, "    Properties: {X: !Sub '${%s.Arn}'}\n", strings.Join(deps, ".Arn}${"))
				}
			}
		}
		g, err := graphFor(t, b.String(), nil)
		if err != nil {
			t.Fatalf("round %d: %v\n%s", round, err, b.String())
		}
		checkWaves(t, g, g.Waves(), g.DependsOn)
		checkWaves(t, g, g.DeletionWaves(), g.Dependents)
	}
}

func checkWaves(t *testing.T, g *Graph, waves [][]string, before func(string) []string) {
	t.Helper()
	wave := map[string]int{}
	for i, w := range waves {
		if len(w) == 0 {
			t.Fatalf("empty wave %d", i)
		}
		for _, r := range w {
			if _, dup := wave[r]; dup {
				t.Fatalf("%s placed twice", r)
			}
			wave[r] = i
		}
	}
	if len(wave) != len(g.Resources()) {
		t.Fatalf("%d resources placed, want %d", len(wave), len(g.Resources()))
	}
	for r, i := range wave {
		for _, d := range before(r) {
			if wave[d] >= i {
				t.Fatalf("%s (wave %d) must come after %s (wave %d)", r, i, d, wave[d])
			}
		}
		// Each resource sits in the earliest wave it can.
		if i > 0 {
			latest := -1
			for _, d := range before(r) {
				latest = max(latest, wave[d])
			}
			if latest != i-1 {
				t.Fatalf("%s is in wave %d but could be in %d", r, i, latest+1)
			}
		}
	}
}

// TestGraphDeploymentWaitsForItsAPIsMethods: a deployment that names one
// of its API's methods waits for the others too (not for another API's),
// while one that names none, or a method that depends on a deployment,
// keeps the order the template gives.
func TestGraphDeploymentWaitsForItsAPIsMethods(t *testing.T) {
	t.Parallel()
	g, err := graphFor(t, yamlDoc(
		"Resources:",
		"  Api: {Type: 'AWS::ApiGateway::RestApi'}",
		"  Other: {Type: 'AWS::ApiGateway::RestApi'}",
		"  Child: {Type: 'AWS::ApiGateway::Resource', Properties: {RestApiId: !Ref Api}}",
		"  Grandchild: {Type: 'AWS::ApiGateway::Resource', Properties: {RestApiId: !Ref Api, ParentId: !Ref Child}}",
		"  Top: {Type: 'AWS::ApiGateway::Method', Properties: {RestApiId: !Ref Api}}",
		"  Deep: {Type: 'AWS::ApiGateway::Method', Properties: {RestApiId: !Ref Api, ResourceId: !Ref Grandchild}}",
		"  Elsewhere: {Type: 'AWS::ApiGateway::Method', Properties: {RestApiId: !Ref Other, ResourceId: !Ref Grandchild}}",
		"  Release: {Type: 'AWS::ApiGateway::Deployment', DependsOn: Top, Properties: {RestApiId: !Ref Api}}",
		"  Stage: {Type: 'AWS::ApiGateway::Stage', Properties: {RestApiId: !Ref Api, DeploymentId: !Ref Release}}",
		"  Bare: {Type: 'AWS::ApiGateway::Deployment', Properties: {RestApiId: !Ref Other}}",
		"  Http: {Type: 'AWS::ApiGatewayV2::Api'}",
		"  RouteA: {Type: 'AWS::ApiGatewayV2::Route', Properties: {ApiId: !Ref Http}}",
		"  RouteB: {Type: 'AWS::ApiGatewayV2::Route', Properties: {ApiId: !Ref Http, Target: !Ref Child}}",
		"  Late: {Type: 'AWS::ApiGatewayV2::Route', Properties: {ApiId: !Ref Http, Target: !Ref HttpRelease}}",
		"  HttpRelease: {Type: 'AWS::ApiGatewayV2::Deployment', DependsOn: RouteA, Properties: {ApiId: !Ref Http}}",
	), nil)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string][]string{
		"Release":     {"Api", "Top", "Deep"},
		"Bare":        {"Other"},
		"HttpRelease": {"Http", "RouteA", "RouteB"},
	} {
		if got := g.DependsOn(id); !reflect.DeepEqual(got, want) {
			t.Errorf("%s depends on %v, want %v", id, got, want)
		}
	}
	wave := map[string]int{}
	for i, w := range g.Waves() {
		for _, id := range w {
			wave[id] = i
		}
	}
	if wave["Release"] <= wave["Deep"] || wave["Stage"] <= wave["Release"] || wave["Bare"] != 1 {
		t.Errorf("waves %v", g.Waves())
	}
}
