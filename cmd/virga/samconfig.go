package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"
)

// samConfig is what virga deploy takes from a SAM project's configuration
// file (samconfig.toml, or .yaml/.yml), as sam deploy does: the
// environment's deploy parameters, then its global ones.
//
//	version = 0.1
//	[default.deploy.parameters]
//	stack_name = "orders"
//	parameter_overrides = "Stage=\"dev\" Table=\"orders\""
//	region = "us-east-1"
//
// Flags given on the command line win over the file.
type samConfig struct {
	path               string
	stackName, region  string
	template           string
	parameterOverrides []string
	tags               []string
	// noExecute, confirm, disableRollback and failOnEmpty are nil when
	// the file does not say.
	noExecute, confirm, disableRollback, failOnEmpty *bool
	// unused are the deploy parameters virga deploy does not act on and
	// does not know to be irrelevant to it.
	unused []string
}

// samConfigIgnored are deploy parameters that matter to sam deploy on AWS
// but not to virga: where packages are uploaded (virga keeps them
// itself), capabilities (virga deploy acknowledges them all), and
// credentials, signing and output options.
var samConfigIgnored = map[string]bool{
	"capabilities": true, "resolve_s3": true, "s3_bucket": true, "s3_prefix": true, "kms_key_id": true,
	"image_repositories": true, "image_repository": true, "resolve_image_repos": true, "force_upload": true,
	"profile": true, "role_arn": true, "notification_arns": true, "signing_profiles": true, "use_json": true,
	"debug": true, "beta_features": true, "metadata": true,
	"stack_name": true, "region": true, "template_file": true, "template": true, "parameter_overrides": true,
	"tags": true, "no_execute_changeset": true, "confirm_changeset": true, "disable_rollback": true, "fail_on_empty_changeset": true,
	"on_failure": true, "max_wait_duration": true,
}

// samConfigNames are the files sam looks for, in its order.
var samConfigNames = []string{"samconfig.toml", "samconfig.yaml", "samconfig.yml"}

// loadSAMConfig reads the configuration file: file when given (relative to
// dir), else the first of samConfigNames in dir. No file is no
// configuration; a file that does not parse is an error.
func loadSAMConfig(dir, file, env string) (*samConfig, error) {
	candidates := samConfigNames
	if file != "" {
		candidates = []string{file}
	}
	for _, name := range candidates {
		path := name
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, name)
		}
		data, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) && file == "" {
			continue
		}
		if err != nil {
			return nil, err
		}
		return parseSAMConfig(path, data, env)
	}
	return nil, nil
}

// parseSAMConfig reads one configuration file.
func parseSAMConfig(path string, data []byte, env string) (*samConfig, error) {
	var doc map[string]any
	var err error
	if strings.HasSuffix(path, ".toml") {
		_, err = toml.Decode(string(data), &doc)
	} else {
		err = yaml.Unmarshal(data, &doc)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c := &samConfig{path: path}
	section := func(name string) map[string]any {
		e, _ := doc[env].(map[string]any)
		s, _ := e[name].(map[string]any)
		p, _ := s["parameters"].(map[string]any)
		return p
	}
	for _, k := range sortedIDs(section("deploy")) {
		if !samConfigIgnored[k] {
			c.unused = append(c.unused, k)
		}
	}
	// Deploy's parameters first, then the global ones under them.
	for _, params := range []map[string]any{section("deploy"), section("global")} {
		flag := func(key string, into **bool) {
			if *into != nil {
				return
			}
			switch v := params[key].(type) {
			case bool:
				*into = &v
			case string:
				b := strings.EqualFold(v, "true")
				*into = &b
			}
		}
		flag("no_execute_changeset", &c.noExecute)
		flag("confirm_changeset", &c.confirm)
		flag("disable_rollback", &c.disableRollback)
		flag("fail_on_empty_changeset", &c.failOnEmpty)
		str := func(key string) string {
			s, _ := params[key].(string)
			return s
		}
		if c.stackName == "" {
			c.stackName = str("stack_name")
		}
		if c.region == "" {
			c.region = str("region")
		}
		if c.template == "" {
			c.template = str("template_file")
		}
		if c.template == "" {
			c.template = str("template")
		}
		if c.parameterOverrides == nil {
			c.parameterOverrides = strings1(params["parameter_overrides"])
		}
		if c.tags == nil {
			c.tags = strings1(params["tags"])
		}
	}
	return c, nil
}

// strings1 reads a string, or a list of strings, as a list.
func strings1(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// splitOverrides splits parameter overrides as sam deploy reads them:
// KEY=VALUE pairs separated by spaces, a value possibly in double quotes
// (with spaces or \" inside), or the aws CLI's
// ParameterKey=K,ParameterValue=V.
func splitOverrides(s string) ([][2]string, error) {
	var out [][2]string
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
			i++
		}
		if i >= len(s) {
			return out, nil
		}
		var tok strings.Builder
		quoted := false
	token:
		for ; i < len(s); i++ {
			c := s[i]
			switch {
			case c == '\\' && quoted && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\'):
				i++
				tok.WriteByte(s[i])
			case c == '"':
				quoted = !quoted
			case !quoted && (c == ' ' || c == '\t' || c == '\n'):
				break token
			default:
				tok.WriteByte(c)
			}
		}
		if quoted {
			return nil, fmt.Errorf("parameter overrides %q: a quote is not closed", s)
		}
		t := tok.String()
		if k, rest, ok := strings.Cut(t, "ParameterKey="); ok && k == "" {
			key, value, _ := strings.Cut(rest, ",ParameterValue=")
			if key == "" {
				return nil, fmt.Errorf("parameter override %q: ParameterKey is empty", t)
			}
			out = append(out, [2]string{key, value})
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("parameter override %q: want KEY=VALUE", t)
		}
		out = append(out, [2]string{k, v})
	}
}
