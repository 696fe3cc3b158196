package main

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/spf13/cobra"
)

func newLogsCommand() *cobra.Command {
	var cf clientFlags
	var follow bool
	var since time.Duration
	var filter string
	cmd := &cobra.Command{
		Use:   "logs FUNCTION",
		Short: "Print a function's logs (/aws/lambda/FUNCTION)",
		Long: `Print the events of the function's log group, oldest first, from --since
ago; with --follow, keep printing new events until interrupted. A name
starting with / is taken as a log group name.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			group := args[0]
			if group[0] != '/' {
				group = "/aws/lambda/" + group
			}
			c := cloudwatchlogs.NewFromConfig(cf.config())
			start := time.Now().Add(-since).UnixMilli()
			seen := map[string]bool{}
			for {
				in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), StartTime: aws.Int64(start)}
				if filter != "" {
					in.FilterPattern = aws.String(filter)
				}
				p := cloudwatchlogs.NewFilterLogEventsPaginator(c, in)
				for p.HasMorePages() {
					out, err := p.NextPage(cmd.Context())
					if err != nil {
						return err
					}
					for _, e := range out.Events {
						id := aws.ToString(e.EventId)
						if seen[id] {
							continue
						}
						seen[id] = true
						ts := time.UnixMilli(aws.ToInt64(e.Timestamp)).UTC().Format(time.RFC3339Nano)
						fmt.Fprintf(cmd.OutOrStdout(), "%s %s %s\n", ts, aws.ToString(e.LogStreamName), aws.ToString(e.Message))
						start = max(start, aws.ToInt64(e.Timestamp))
					}
				}
				if !follow {
					return nil
				}
				select {
				case <-cmd.Context().Done():
					return nil
				case <-time.After(time.Second):
				}
			}
		},
	}
	cf.register(cmd)
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new events")
	cmd.Flags().DurationVar(&since, "since", 10*time.Minute, "how far back to start")
	cmd.Flags().StringVar(&filter, "filter-pattern", "", "CloudWatch Logs filter pattern")
	return cmd
}
