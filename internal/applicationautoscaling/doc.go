// Package applicationautoscaling is Application Auto Scaling (awsJson
// 1.1, X-Amz-Target prefix AnyScaleFrontendService, signing name and
// IAM action prefix "application-autoscaling"): scalable targets, their
// scaling policies and scheduled actions, scaling activities and tags.
//
// # What it owns
//
// Targets, policies, scheduled actions and activities, in the store
// under "application-autoscaling/" (storage.go), keyed by namespace,
// resource ID and dimension so that one target's records are one range.
// The resources it scales belong to other services and are reached in
// process through Deps.Call (resource.go): DynamoDB tables and global
// secondary indexes (DescribeTable, UpdateTable), Lambda aliases and
// versions (GetProvisionedConcurrencyConfig,
// PutProvisionedConcurrencyConfig), ECS services (DescribeServices,
// UpdateService), and CloudWatch for target tracking alarms
// (PutMetricAlarm, DeleteAlarms). The package imports no other service.
//
// # What happens
//
// RegisterScalableTarget checks that the dimension belongs to the
// namespace and, for dynamodb, lambda and ecs, that the resource ID has
// its form (table/T, table/T/index/I, function:F:QUALIFIER,
// service/CLUSTER/SERVICE) and names a resource that exists; targets of
// the other namespaces are recorded as given. A new target needs
// MinCapacity and MaxCapacity; an existing one is updated with what is
// given. When the resource's capacity is outside [MinCapacity,
// MaxCapacity] it is moved inside at once, and a scaling activity
// records it ("Setting read capacity units to 5.").
//
// PutScalingPolicy keeps StepScaling and TargetTrackingScaling
// policies. A target tracking policy gets the two CloudWatch alarms
// AWS creates, TargetTracking-RESOURCE-AlarmHigh-UUID and
// TargetTracking-RESOURCE-AlarmLow-UUID (alarms.go), whose action is the
// policy; they go when the policy is replaced or deleted, or its target
// deregistered. DeregisterScalableTarget deletes the target's policies,
// scheduled actions and activities.
//
// When an alarm whose action is a policy goes into ALARM, CloudWatch
// calls ExecutePolicy (execute.go) with the datapoints that breached: a
// target tracking policy sets the capacity to what would bring its
// metric back to the target value, taking the metric to move in
// proportion to the capacity (at least one more on AlarmHigh, at least
// one fewer on AlarmLow, none fewer with DisableScaleIn); a step scaling
// policy applies the step adjustment the breach (the value less the
// alarm's threshold) falls in, as a change, a percentage
// (MinAdjustmentMagnitude) or an exact capacity. The result stays within
// the target's bounds, and DynamicScalingIn/OutSuspended hold it.

// Scheduled actions take at(), rate() and cron() in their Timezone,
// parsed by package schedexpr, within StartTime and EndTime. Run looks
// at them every second; one whose time has come sets its target's
// MinCapacity and MaxCapacity to the action's (unless the target's
// ScheduledScalingSuspended) and moves the resource's capacity inside
// them. An action's next time is stored before its change is made, so a
// restart does not run it twice; an action whose time passed while
// virga was stopped runs once when it starts.
//
// # Locks
//
// Service.mu serializes every change, including the calls to other
// services that scale a resource and make alarms; those services never
// call back while answering. CloudWatch calls ExecutePolicy from its
// alarm actions, outside its own lock.
//
// # Not supported yet
//
// A policy runs once when its alarm goes into ALARM, not again each
// period while the alarm stays there, and cooldowns are not kept.
// virga's DynamoDB and ECS publish no utilization metrics, so their
// target tracking alarms breach only on metrics put with PutMetricData
// or SetAlarmState; Lambda's ProvisionedConcurrencyUtilization is
// published. DynamoDB's extra ProvisionedCapacity alarms are not made,
// and the alarms' thresholds and periods approximate AWS's. Targets of namespaces other than dynamodb, lambda and ecs are
// recorded but nothing is scaled, and their resource IDs are not
// checked. Predictive scaling (GetPredictiveScalingForecast) is not in
// the model virga generates from. ConcurrentUpdateException is never
// answered: changes are serialized. Activities of several targets are
// listed target by target, each newest first. The wording of these
// errors is virga's: a missing DynamoDB table, index, Lambda function
// or ECS service, a new target without bounds, negative bounds, the
// checks of a policy's configuration and metric, a scheduled action
// without a schedule or bounds, and tagging an ARN that names no
// target; an invalid schedule says what EventBridge Scheduler says.
package applicationautoscaling
