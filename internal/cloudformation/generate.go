package cloudformation

// The operations' inputs and outputs come from AWS's model of
// CloudFormation (awsQuery); model_overlay.json adds RollbackStack's
// RetainExceptOnCreate and the change sets' OnStackFailure, which AWS
// introduced after the model Debian ships.
//go:generate go run ../awsproto/shapegen -service cloudformation -version 2010-05-15 -package cloudformation -overlay model_overlay.json -out zz_shapes.go -input-enums -ops EstimateTemplateCost,CreateStack,UpdateStack,DeleteStack,DescribeStacks,DescribeStackEvents,DescribeStackResource,DescribeStackResources,ListStacks,ListStackResources,GetTemplate,GetTemplateSummary,ValidateTemplate,CreateChangeSet,DescribeChangeSet,ExecuteChangeSet,DeleteChangeSet,ListChangeSets,ListExports,ListImports,UpdateTerminationProtection,RollbackStack,ContinueUpdateRollback,CancelUpdateStack,SetStackPolicy,GetStackPolicy -extra AlreadyExistsException,InsufficientCapabilitiesException,ChangeSetNotFoundException
