package ssm

// The operations' inputs and outputs come from AWS's model of Systems
// Manager; only Parameter Store's operations and the tag operations are
// generated.
//go:generate go run ../awsproto/shapegen -service ssm -version 2014-11-06 -package ssm -overlay model_overlay.json -out zz_shapes.go -ops PutParameter,GetParameter,GetParameters,GetParametersByPath,DeleteParameter,DeleteParameters,DescribeParameters,GetParameterHistory,LabelParameterVersion,UnlabelParameterVersion,AddTagsToResource,RemoveTagsFromResource,ListTagsForResource
