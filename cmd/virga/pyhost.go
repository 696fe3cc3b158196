package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/virga/virga/internal/functions"
)

// copyHostRequirements is the way out when pip cannot install a Python
// function's requirements (no package index from this machine): a host
// interpreter's own copies of the requirements, and of what they import
// (the python3 that has the most of them), are copied into the package
// in work, as pip would have installed them there. A function does not see the host's site
// directories (it sees what AWS's runtime has), so what is not copied
// here is not importable. It warns, naming what the host lacks too.
func copyHostRequirements(logicalID, work string, pipErr error, log io.Writer) error {
	names, err := requirementNames(filepath.Join(work, "requirements.txt"))
	if err != nil {
		return err
	}
	python, paths, missing, err := functions.HostPythonPackagesFrom(functions.HostPythons(), names)
	if err != nil {
		fmt.Fprintf(log, "warning: %s: pip install failed (%v), and this host's python3 could not be asked for its copies of the requirements (%v): the function has none of them\n", logicalID, pipErr, err)
		return nil
	}
	for _, p := range paths {
		if err := copyTree(p, filepath.Join(work, filepath.Base(p))); err != nil {
			return fmt.Errorf("%s: copying %s: %w", logicalID, p, err)
		}
	}
	if len(missing) == 0 {
		fmt.Fprintf(log, "warning: %s: pip install failed (%v); packaged this host's copies of %s (%s's) instead (their versions may differ from requirements.txt's)\n", logicalID, pipErr, strings.Join(names, ", "), python)
		return nil
	}
	fmt.Fprintf(log, "warning: %s: pip install failed (%v), and this host's python3 does not have %s: the function cannot import %s (install %s on this host, or make the package index reachable)\n",
		logicalID, pipErr, strings.Join(missing, ", "), pronoun(len(missing)), pronoun(len(missing)))
	return nil
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// requirementName is the distribution name that starts a requirements
// file's line ("requests>=2", "aws-lambda-powertools[tracer]==3.1",
// "pkg @ https://...").
var requirementName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*`)

// requirementNames lists the distributions a requirements file names,
// leaving out comments and pip options (-r, -e, --index-url, ...).
func requirementNames(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, " #"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if name := requirementName.FindString(line); name != "" {
			names = append(names, name)
		}
	}
	return names, sc.Err()
}
