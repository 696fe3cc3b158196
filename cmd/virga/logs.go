package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/spf13/cobra"
)

func newLogsCommand() *cobra.Command {
	var cf clientFlags
	var ff functionFlags
	var follow bool
	var since time.Duration
	var filter string
	cmd := &cobra.Command{
		Use:   "logs FUNCTION",
		Short: "Print a function's logs (/aws/lambda/FUNCTION)",
		Long: `Print the events of the function's log group, oldest first, from --since
ago; with --follow, keep printing new events until interrupted, waiting
for the log group if the function has not logged yet. A name starting
with / is taken as a log group name; with --stack-name, FUNCTION may be
the logical ID of a function in that stack. A function that names its
own log group (LoggingConfig.LogGroup) is read there.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			group := args[0]
			if group[0] != '/' {
				name, err := ff.resolve(cmd.Context(), cf.config(), group)
				if err != nil {
					return explain(cf.endpoint, err)
				}
				group = logGroup(cmd.Context(), cf.config(), name)
			}
			c := cloudwatchlogs.NewFromConfig(cf.config())
			start := time.Now().Add(-since).UnixMilli()
			// seen holds the events printed at or after start, by id, with
			// their timestamps: the next poll asks from start again, so
			// events of that millisecond come back once more.
			seen := map[string]int64{}
			for {
				in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), StartTime: aws.Int64(start)}
				if filter != "" {
					in.FilterPattern = aws.String(filter)
				}
				p := cloudwatchlogs.NewFilterLogEventsPaginator(c, in)
				for p.HasMorePages() {
					out, err := p.NextPage(cmd.Context())
					var missing *types.ResourceNotFoundException
					if errors.As(err, &missing) && follow {
						break // a function logs for the first time when first invoked
					}
					if errors.As(err, &missing) {
						return fmt.Errorf("log group %s does not exist: the function has not been invoked yet, or there is no such function", group)
					}
					if err != nil {
						return explain(cf.endpoint, err)
					}
					for _, e := range out.Events {
						id, ts := aws.ToString(e.EventId), aws.ToInt64(e.Timestamp)
						if _, ok := seen[id]; ok {
							continue
						}
						seen[id] = ts
						fmt.Fprintln(cmd.OutOrStdout(), formatEvent(e))
						start = max(start, ts)
					}
				}
				for id, ts := range seen {
					if ts < start {
						delete(seen, id)
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
	ff.register(cmd)
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new events")
	cmd.Flags().BoolVarP(&follow, "tail", "t", false, "the same as --follow (sam logs's name)")
	cmd.Flags().DurationVar(&since, "since", 10*time.Minute, "how far back to start")
	cmd.Flags().StringVar(&filter, "filter-pattern", "", "CloudWatch Logs filter pattern")
	return cmd
}

// formatEvent is one line of virga logs, as aws logs tail prints it: the
// time in UTC to the millisecond, the stream and the message without
// trailing whitespace.
func formatEvent(e types.FilteredLogEvent) string {
	ts := time.UnixMilli(aws.ToInt64(e.Timestamp)).UTC().Format("2006-01-02T15:04:05.000Z")
	return ts + " " + aws.ToString(e.LogStreamName) + " " + strings.TrimRight(aws.ToString(e.Message), " \t\r\n")
}
