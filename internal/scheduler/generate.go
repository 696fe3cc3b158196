package scheduler

// The operations' inputs and outputs come from AWS's model of EventBridge
// Scheduler; model_overlay.json adds ActionAfterCompletion, which AWS
// introduced after the model Debian ships, and restates the
// EventBridgeParameters Source pattern, whose look-aheads Go's regular
// expressions cannot express (checkTarget enforces the rest of the rule:
// a source must not begin with "aws.").
//go:generate go run ../awsproto/shapegen -service scheduler -version 2021-06-30 -package scheduler -overlay model_overlay.json -out zz_shapes.go -ops all
