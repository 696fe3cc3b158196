package events

// The operations' inputs and outputs come from AWS's model of EventBridge.
//go:generate go run ../awsproto/shapegen -service events -version 2015-10-07 -package events -overlay model_overlay.json -out zz_shapes.go -ops CreateEventBus,DeleteEventBus,DescribeEventBus,ListEventBuses,PutRule,DescribeRule,ListRules,EnableRule,DisableRule,DeleteRule,PutTargets,ListTargetsByRule,RemoveTargets,PutEvents,TestEventPattern,ListRuleNamesByTarget,TagResource,UntagResource,ListTagsForResource,PutPermission,RemovePermission,CreateArchive,DescribeArchive,ListArchives,UpdateArchive,DeleteArchive,StartReplay,DescribeReplay,ListReplays,CancelReplay -no-enums
