package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// buildCargo builds a Rust function as sam build's BuildMethod
// rust-cargolambda does with cargo lambda build --release, but for this
// machine, since virga runs functions natively: cargo build --release
// in the code's directory, whose binary (its package's only one, or
// the one Metadata.BuildProperties.Binary names) becomes bootstrap.
// Cargo's build directory is kept from one deploy to the next (a
// rebuild is incremental), under the code's .aws-sam, which virga
// deploy --watch does not watch and packages leave out.
func buildCargo(ctx context.Context, c codeLocation, work string, log io.Writer) error {
	if _, err := exec.LookPath("cargo"); err != nil {
		return fmt.Errorf("%s: BuildMethod rust-cargolambda needs cargo, which is not installed (https://rustup.rs, or Debian's cargo)", c.logicalID)
	}
	target, err := cargoTargetDir(c.dir)
	if err != nil {
		return err
	}
	bin, _ := c.props["Binary"].(string)
	args := []string{"build", "--release"}
	if bin != "" {
		args = append(args, "--bin", bin)
	}
	fmt.Fprintf(log, "Building %s with cargo %s\n", c.logicalID, strings.Join(args, " "))
	if err := runIn(ctx, c.dir, []string{"CARGO_TARGET_DIR=" + target}, log, "cargo", args...); err != nil {
		return fmt.Errorf("%s: cargo build: %w", c.logicalID, err)
	}
	if bin == "" {
		if bin, err = cargoBinary(ctx, c); err != nil {
			return err
		}
	}
	data, err := os.ReadFile(filepath.Join(target, "release", bin))
	if err != nil {
		return fmt.Errorf("%s: cargo build made no binary %s: %w", c.logicalID, bin, err)
	}
	return os.WriteFile(filepath.Join(work, "bootstrap"), data, 0o755)
}

// cargoTargetDir is the build directory of the Rust project in dir:
// .aws-sam/cargo-target in it, where sam build's files go, which virga
// deploy --watch and the packages leave out.
func cargoTargetDir(dir string) (string, error) {
	target := filepath.Join(dir, ".aws-sam", "cargo-target")
	return target, os.MkdirAll(target, 0o755)
}

// cargoBinary is the name of the only binary of the package in c.dir.
func cargoBinary(ctx context.Context, c codeLocation) (string, error) {
	cmd := exec.CommandContext(ctx, "cargo", "metadata", "--no-deps", "--format-version", "1")
	cmd.Dir = c.dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s: cargo metadata: %w", c.logicalID, err)
	}
	var meta struct {
		Packages []struct {
			ManifestPath string `json:"manifest_path"`
			Targets      []struct {
				Name string   `json:"name"`
				Kind []string `json:"kind"`
			} `json:"targets"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(out, &meta); err != nil {
		return "", fmt.Errorf("%s: cargo metadata: %w", c.logicalID, err)
	}
	dir := c.dir
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	var bins []string
	for _, p := range meta.Packages {
		if filepath.Dir(p.ManifestPath) != dir {
			continue
		}
		for _, t := range p.Targets {
			for _, k := range t.Kind {
				if k == "bin" {
					bins = append(bins, t.Name)
				}
			}
		}
	}
	switch len(bins) {
	case 1:
		return bins[0], nil
	case 0:
		return "", errors.New(c.logicalID + ": the Rust package in " + c.dir + " has no binary")
	}
	return "", fmt.Errorf("%s: the Rust package in %s has several binaries (%s): name one with Metadata.BuildProperties.Binary", c.logicalID, c.dir, strings.Join(bins, ", "))
}
