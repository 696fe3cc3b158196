package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckTranslatorMissing: an interpreter that does not exist, or one
// without samtranslator, is one clear error naming the fix.
func TestCheckTranslatorMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "python9")
	err := checkTranslator(missing)
	if err == nil || !strings.Contains(err.Error(), missing+" cannot be run") {
		t.Errorf("missing interpreter: %v", err)
	}
	// sh stands for an interpreter that runs but cannot import it.
	sh, lookErr := exec.LookPath("sh")
	if lookErr != nil {
		t.Skip("no sh")
	}
	if err := checkTranslator(sh); err == nil || !strings.Contains(err.Error(), sh+" cannot load AWS's SAM translator") ||
		!strings.Contains(err.Error(), "pip install aws-sam-translator") {
		t.Errorf("interpreter without samtranslator: %v", err)
	}
}
