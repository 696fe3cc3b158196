package stepfunctions

// The operations' inputs and outputs come from AWS's model of Step
// Functions (botocore's stepfunctions 2016-11-23).
//go:generate go run ../awsproto/shapegen -service stepfunctions -version 2016-11-23 -package stepfunctions -overlay model_overlay.json -out zz_shapes.go -ops CreateStateMachine,PublishStateMachineVersion,ListStateMachineVersions,DeleteStateMachineVersion,CreateStateMachineAlias,DescribeStateMachineAlias,UpdateStateMachineAlias,ListStateMachineAliases,DeleteStateMachineAlias,CreateActivity,DescribeActivity,ListActivities,DeleteActivity,GetActivityTask,DescribeStateMachine,DescribeStateMachineForExecution,ListStateMachines,UpdateStateMachine,DeleteStateMachine,StartExecution,StartSyncExecution,DescribeExecution,ListExecutions,StopExecution,GetExecutionHistory,SendTaskSuccess,SendTaskFailure,SendTaskHeartbeat,RedriveExecution,TagResource,UntagResource,ListTagsForResource,ListMapRuns,DescribeMapRun,UpdateMapRun
