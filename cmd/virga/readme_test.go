package main

import (
	"os"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestReadmeListsUpFlags keeps the README's `virga up` flag table and the
// command's flags in step: each flag of up (but --help) has a row.
func TestReadmeListsUpFlags(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "| `-") {
			continue
		}
		first := strings.SplitN(strings.TrimPrefix(line, "| "), " |", 2)[0]
		for _, name := range strings.Split(first, ",") {
			rows[strings.Trim(strings.TrimSpace(name), "`")] = true
		}
	}
	newUpCommand().Flags().VisitAll(func(f *pflag.Flag) {
		if f.Name == "help" {
			return
		}
		if !rows["--"+f.Name] {
			t.Errorf("README's flag table has no row for --%s", f.Name)
		}
	})
}
