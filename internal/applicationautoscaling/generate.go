package applicationautoscaling

// The operations' inputs and outputs come from AWS's model of
// Application Auto Scaling; model_overlay.json adds what the model
// Debian ships predates: the tagging operations, scalable targets' ARNs
// and tags, and the later metric types and dimensions.
// ScheduledActionName's pattern is restated without the look-ahead Go's
// regular expressions cannot express, and CustomizedMetricSpecification's
// members are optional, as they are once Metrics may stand in for them.
//go:generate go run ../awsproto/shapegen -service application-autoscaling -version 2016-02-06 -package applicationautoscaling -overlay model_overlay.json -out zz_shapes.go -ops all
