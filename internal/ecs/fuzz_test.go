package ecs

import (
	"strings"
	"testing"
)

// FuzzParseUnits checks that task cpu and memory values parse without
// panicking and that a parsed value is positive.
func FuzzParseUnits(f *testing.F) {
	for _, seed := range []string{"256", "1024", "1 vCPU", "0.25 vcpu", "2 GB", "0.5gb", "", "-1", "1e400 GB", " 512 "} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if n, ok := parseCPU(v); ok && n <= 0 {
			t.Fatalf("parseCPU(%q) = %d", v, n)
		}
		if n, ok := parseMemory(v); ok && n <= 0 {
			t.Fatalf("parseMemory(%q) = %d", v, n)
		}
	})
}

// FuzzDecodeToken checks that any next token decodes without panicking
// and that encoded offsets round-trip.
func FuzzDecodeToken(f *testing.F) {
	for _, seed := range []string{"", encodeToken(0), encodeToken(100), "bm90IGEgdG9rZW4", "!!"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		n, ok := decodeToken(tok)
		if ok && n < 0 {
			t.Fatalf("decodeToken(%q) = %d", tok, n)
		}
		if ok {
			if m, ok2 := decodeToken(encodeToken(n)); !ok2 || m != n {
				t.Fatalf("round trip of %d gave %d", n, m)
			}
		}
	})
}

func TestFargateCombinations(t *testing.T) {
	for _, c := range []struct {
		cpu, mem int
		ok       bool
	}{{256, 512, true}, {256, 1536, false}, {512, 1024, true}, {512, 512, false}, {1024, 2048, true}, {1024, 1024, false},
		{4096, 30720, true}, {8192, 20480, true}, {8192, 18432, false}, {16384, 122880, true}, {300, 1024, false}} {
		if got := fargateFits(c.cpu, c.mem); got != c.ok {
			t.Errorf("fargateFits(%d, %d) = %v", c.cpu, c.mem, got)
		}
	}
}

func TestStartOrderFollowsDependsOn(t *testing.T) {
	defs := []ContainerDefinition{
		{Name: ptr("app"), DependsOn: []ContainerDependency{{ContainerName: ptr("db")}, {ContainerName: ptr("init")}}},
		{Name: ptr("db")},
		{Name: ptr("init"), DependsOn: []ContainerDependency{{ContainerName: ptr("db")}}},
		{Name: ptr("side")},
	}
	var cs []ContainerSpec
	for _, d := range defs {
		cs = append(cs, ContainerSpec{Name: deref(d.Name)})
	}
	var got []string
	for _, c := range startOrder(cs, defs) {
		got = append(got, c.Name)
	}
	if want := "db init side app"; strings.Join(got, " ") != want {
		t.Fatalf("order %v, want %s", got, want)
	}
	// A cycle keeps the definition's order for what it holds up.
	defs[1].DependsOn = []ContainerDependency{{ContainerName: ptr("app")}}
	got = got[:0]
	for _, c := range startOrder(cs, defs) {
		got = append(got, c.Name)
	}
	if len(got) != 4 || got[0] != "side" {
		t.Fatalf("order with a cycle %v", got)
	}
}

// FuzzSecretRefs checks that any valueFrom and environment file parse
// without panicking, and that every variable read from a file has a
// name.
func FuzzSecretRefs(f *testing.F) {
	for _, seed := range []string{
		"arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf",
		"arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf:password::",
		"arn:aws:ssm:us-east-1:000000000000:parameter/app/db", "name", "",
		"A=1\n# c\n\nB==2\r\nnoequals\n =x\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if r := parseValueFrom(v); r.id == "" && v != "" && !strings.HasPrefix(v, "arn:") {
			t.Fatalf("parseValueFrom(%q) has no id", v)
		}
		for _, kv := range parseEnvFile([]byte(v)) {
			if deref(kv.Name) == "" {
				t.Fatalf("parseEnvFile(%q) gave an unnamed variable", v)
			}
		}
	})
}
