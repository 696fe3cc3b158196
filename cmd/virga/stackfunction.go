package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"
)

// functionFlags name the function of virga logs and virga invoke: by its
// name or ARN, or, with --stack-name, by its logical ID in that stack, as
// sam logs -n and sam remote invoke take it (so a README's
// `sam logs -n HelloWorldFunction --stack-name sam-app` becomes
// `virga logs HelloWorldFunction --stack-name sam-app`).
type functionFlags struct {
	stack string
}

func (f *functionFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.stack, "stack-name", "", "take FUNCTION as the logical ID of a function in this stack")
}

// resolve is the function name lives at: name itself without
// --stack-name, else the physical ID of the stack's resource name.
func (f *functionFlags) resolve(ctx context.Context, cfg aws.Config, name string) (string, error) {
	if f.stack == "" {
		return name, nil
	}
	out, err := cloudformation.NewFromConfig(cfg).DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{
		StackName: aws.String(f.stack), LogicalResourceId: aws.String(name)})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return "", errors.New(apiErr.ErrorMessage()) // "Resource X does not exist for stack S", ...
	}
	if err != nil {
		return "", err
	}
	d := out.StackResourceDetail
	if t := aws.ToString(d.ResourceType); t != "AWS::Lambda::Function" {
		return "", fmt.Errorf("%s in stack %s is not a function but %s", name, f.stack, t)
	}
	if aws.ToString(d.PhysicalResourceId) == "" {
		return "", fmt.Errorf("function %s of stack %s has not been created (%s)", name, f.stack, d.ResourceStatus)
	}
	return aws.ToString(d.PhysicalResourceId), nil
}

// logGroup is the log group function writes to: its LoggingConfig's
// (a template may set LoggingConfig.LogGroup), or /aws/lambda/NAME when
// the function cannot be read (it may be gone while its logs remain).
func logGroup(ctx context.Context, cfg aws.Config, function string) string {
	out, err := lambda.NewFromConfig(cfg).GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(function)})
	if err == nil && out.LoggingConfig != nil && aws.ToString(out.LoggingConfig.LogGroup) != "" {
		return aws.ToString(out.LoggingConfig.LogGroup)
	}
	return "/aws/lambda/" + function
}
