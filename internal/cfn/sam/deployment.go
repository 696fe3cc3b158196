package sam

import (
	"encoding/json"
	"strings"
)

// A DeploymentPreference asks SAM for a gradual deployment through
// CodeDeploy: an application for the stack (ServerlessDeploymentApplication),
// a deployment group per function, a service role, and an UpdatePolicy on
// the alias that hands each new version to CodeDeploy, which shifts
// traffic to it step by step and runs the PreTraffic and PostTraffic
// hooks.
//
// virga has no CodeDeploy. The preference is recorded in the function's
// Metadata (Virga.DeploymentPreference, as JSON text) and the alias moves to each new
// version at once, as AllAtOnce does; hooks are not run. So that
// templates which name the application (hook functions' policies do, in
// SAM's own examples) still deploy, references to
// ServerlessDeploymentApplication become the name AWS would give it
// (STACK-ServerlessDeploymentApplication-SUFFIX, the suffix derived
// from the stack's name).

// deploymentApplication is the logical ID of the CodeDeploy application
// SAM makes for a template's deployment preferences.
const deploymentApplication = "ServerlessDeploymentApplication"

// deploymentPreference records f's DeploymentPreference.
func (t *transformer) deploymentPreference(f *function) {
	dp, ok := f.props["DeploymentPreference"]
	if !ok {
		return
	}
	// Kept as JSON text: its hooks name functions, and Refs in Metadata
	// would make the function depend on its hooks, which depend on its
	// version.
	if b, err := json.Marshal(dp); err == nil {
		f.deployment = string(b)
	}
	if m := asMap(dp); m != nil && isFalse(m["Enabled"]) {
		return
	}
	t.warn(f.id, "DeploymentPreference is recorded only: virga has no CodeDeploy, so the alias moves to each new version at once and no hooks run")
	if _, ok := t.literals[deploymentApplication]; !ok {
		t.literals[deploymentApplication] = t.opts.StackName + "-" + deploymentApplication + "-" + strings.ToUpper(hashOf(t.opts.StackName, deploymentApplication))
	}
}
