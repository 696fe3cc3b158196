package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/spf13/cobra"
)

func newInvokeCommand() *cobra.Command {
	var cf clientFlags
	var ff functionFlags
	var payload, qualifier, eventFile string
	cmd := &cobra.Command{
		Use:   "invoke FUNCTION",
		Short: "Invoke a function and print its result and REPORT line",
		Long: `Invoke a function synchronously on a running virga and print the result
on standard output, then the invocation's REPORT line (from its log tail;
its platform.report record for a function that logs in JSON format) on
standard error. --payload takes JSON, or @FILE to read it from a file;
--event and --event-file are sam remote invoke's spellings of the same.
With --stack-name, FUNCTION may be the logical ID of a function in that
stack, as sam remote invoke takes it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if eventFile != "" {
				payload = "@" + eventFile
			}
			body := []byte(payload)
			if strings.HasPrefix(payload, "@") {
				var err error
				if body, err = os.ReadFile(payload[1:]); err != nil {
					return err
				}
			}
			name, err := ff.resolve(cmd.Context(), cf.config(), args[0])
			if err != nil {
				return explain(cf.endpoint, err)
			}
			in := &lambda.InvokeInput{FunctionName: aws.String(name), Payload: body, LogType: types.LogTypeTail}
			if qualifier != "" {
				in.Qualifier = aws.String(qualifier)
			}
			out, err := lambda.NewFromConfig(cf.config()).Invoke(cmd.Context(), in)
			if err != nil {
				return explain(cf.endpoint, err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), string(out.Payload))
			if tail, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult)); err == nil {
				for _, line := range strings.Split(string(tail), "\n") {
					if strings.HasPrefix(line, "REPORT ") || strings.HasPrefix(line, `{"time":`) && strings.Contains(line, `"type":"platform.report"`) {
						fmt.Fprintln(cmd.ErrOrStderr(), line)
					}
				}
			}
			if out.FunctionError != nil {
				return fmt.Errorf("function error: %s", aws.ToString(out.FunctionError))
			}
			return nil
		},
	}
	cf.register(cmd)
	ff.register(cmd)
	cmd.Flags().StringVar(&payload, "payload", "{}", "event JSON, or @FILE")
	cmd.Flags().StringVar(&payload, "event", "{}", "the same as --payload (sam remote invoke's name)")
	cmd.Flags().StringVar(&eventFile, "event-file", "", "read the event JSON from this file (sam remote invoke's flag)")
	cmd.Flags().StringVar(&qualifier, "qualifier", "", "version or alias")
	return cmd
}
