package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/virga/virga/internal/app"
	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/version"
)

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "virga",
		Short:         "An AWS-compatible serverless and container cloud in one binary",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newUpCommand(), newVersionCommand(), newInvokeCommand(), newLogsCommand(), newDeployCommand())
	return root
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print virga's version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "virga", version.Version)
		},
	}
}

func newUpCommand() *cobra.Command {
	cfg := config.Default()
	var creds []string
	var tmpl, stack string
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Serve the AWS APIs",
		Long: `Serve the AWS APIs on one endpoint (default http://127.0.0.1:4566).
The same port answers HTTPS, with a certificate from a local certificate
authority in DATA_DIR/tls/ca.pem (aws --ca-bundle, AWS_CA_BUNDLE, curl
--cacert); the "virga is up" line names the file.

Every flag can also be set by an environment variable: --data-dir by
VIRGA_DATA_DIR, and so on. A flag given on the command line wins over the
environment. Point the aws CLI or an SDK at virga with
--endpoint-url http://127.0.0.1:4566 or AWS_ENDPOINT_URL.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := applyEnv(cmd.Flags()); err != nil {
				return err
			}
			tuneGC()
			cfg.Credentials = nil
			for _, c := range creds {
				cred, err := config.ParseCredential(c)
				if err != nil {
					return err
				}
				cfg.Credentials = append(cfg.Credentials, cred)
			}
			log, err := app.NewLogger(cfg, os.Stderr)
			if err != nil {
				return err
			}
			opts := app.Options{Logger: log}
			if tmpl != "" {
				// Deploy the template once virga serves, then keep its
				// functions' code up to date.
				opts.Ready = func(endpoint string) {
					given := map[string]bool{"template-file": true, "region": true, "stack-name": stack != ""}
					err := watch(cmd.Context(), deployFlags{template: tmpl, stack: stack, endpoint: endpoint, region: cfg.Region,
						configEnv: "default", set: given},
						cmd.OutOrStdout(), 500*time.Millisecond)
					if err != nil && cmd.Context().Err() == nil {
						log.Error("virga up -t: " + err.Error())
					}
				}
			}
			// main's context is cancelled by SIGINT and SIGTERM.
			return app.Run(cmd.Context(), cfg, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Listen, "listen", cfg.Listen, "address to serve on (loopback by default; anything else exposes virga to the network)")
	f.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "directory for virga's data")
	f.BoolVar(&cfg.InMemory, "in-memory", cfg.InMemory, "keep all data in memory; nothing is written to disk")
	f.StringVar(&cfg.Store, "store", cfg.Store, "where state lives: pebble (embedded, under --data-dir) or a PostgreSQL-protocol database URL, postgres://user:password@host:5432/db, used by this virga alone")
	f.BoolVar(&cfg.Fsync, "fsync", cfg.Fsync, "acknowledge a write only once it is fsynced, so that it survives a power loss too (by default it survives any crash or kill of virga and reaches the disk within 100 ms)")
	f.StringVar(&cfg.Region, "region", cfg.Region, "AWS region virga presents itself as")
	f.StringVar(&cfg.AccountID, "account-id", cfg.AccountID, "AWS account id resources belong to")
	f.StringVar(&cfg.Auth, "auth", cfg.Auth, "authentication: accept (any or no signature), sigv4 (verify signatures) or iam (verify signatures and enforce IAM policies)")
	f.StringArrayVar(&creds, "credentials", []string{"test:test"}, "long-term credentials KEY:SECRET (repeatable; VIRGA_CREDENTIALS takes a comma-separated list)")
	f.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "debug, info, warn or error")
	f.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "text or json")
	f.IntVar(&cfg.LambdaConcurrency, "lambda-concurrency", cfg.LambdaConcurrency, "the account's concurrent executions limit for Lambda functions")
	f.StringVar(&cfg.XRayDaemon, "xray-daemon", cfg.XRayDaemon, "UDP address on which functions' X-Ray SDKs send segments (AWS_XRAY_DAEMON_ADDRESS); 0 or empty turns it off")
	f.StringVar(&cfg.OTLPEndpoint, "otlp-endpoint", cfg.OTLPEndpoint, "OTLP/HTTP URL of an OpenTelemetry collector to export traces to (http://localhost:4318: traces go to its /v1/traces)")
	f.StringVar(&cfg.ContainerdAddress, "containerd-address", cfg.ContainerdAddress, "socket of a running containerd to run containers with (default: virga starts its own when the first container starts)")
	f.StringVar(&cfg.HostVolumeRoot, "host-volume-root", cfg.HostVolumeRoot, "host directory under which ECS volumes' host.sourcePath may lie (default: none, host paths are refused)")
	f.StringVar(&cfg.Python, "python", cfg.Python, "the python3 that python3.x functions run on (default: python3 on PATH)")
	f.StringVar(&cfg.Node, "node", cfg.Node, "the node that nodejs*.x functions run on (default: node on PATH)")
	f.StringVar(&cfg.Ruby, "ruby", cfg.Ruby, "the ruby that ruby3.x functions run on (default: ruby on PATH)")
	f.StringVar(&cfg.Java, "java", cfg.Java, "the java that java* functions run on, from a JDK whose javac compiles virga's Java bootstrap once (default: java on PATH)")
	f.BoolVar(&cfg.Pprof, "pprof", cfg.Pprof, "serve Go's profiler under /_virga/debug/pprof/")
	f.BoolVar(&cfg.ConsoleRemote, "console-remote", cfg.ConsoleRemote, "serve the web console (/_virga/console/) to other machines too (by default only to this one; under --auth sigv4 or iam it still asks for the token in the URL virga logs)")
	f.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "how long in-flight requests may run after SIGINT or SIGTERM")
	f.StringVarP(&tmpl, "template-file", "t", "", "deploy this SAM or CloudFormation template at start, then redeploy functions whose code changes")
	f.StringVar(&stack, "stack-name", "", "the stack name for -t (default: the template directory's name)")
	return cmd
}

// applyEnv sets each flag not given on the command line from its
// environment variable, VIRGA_ and the flag name in upper case with
// underscores. A repeatable flag takes a comma-separated list.
func applyEnv(fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed || err != nil {
			return
		}
		name := "VIRGA_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		v, ok := os.LookupEnv(name)
		if !ok {
			return
		}
		if sv, isSlice := f.Value.(pflag.SliceValue); isSlice {
			err = sv.Replace(strings.Split(v, ","))
		} else {
			err = f.Value.Set(v)
		}
		if err != nil {
			err = fmt.Errorf("%s=%q: %v", name, v, err)
			return
		}
		f.Changed = true
	})
	return err
}
