package pipes

// The operations' inputs and outputs come from AWS's model of EventBridge
// Pipes; model_overlay.json restates the EventBridgeEventSource pattern,
// whose look-aheads Go's regular expressions cannot express (checkTarget
// enforces the rest of the rule: a source must not begin with "aws.").
//go:generate go run ../awsproto/shapegen -service pipes -version 2015-10-07 -package pipes -overlay model_overlay.json -out zz_shapes.go -ops all
