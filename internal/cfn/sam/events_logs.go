package sam

// cloudWatchLogsEvent subscribes the function to a log group, as SAM's
// CloudWatchLogs event does: the permission FUNCTIONEVENTPermission lets
// CloudWatch Logs (logs.amazonaws.com) invoke the function for the
// group's ARN (log-group:NAME:*), and the subscription filter
// FUNCTIONEVENT, which depends on it, delivers the events that match
// FilterPattern.
func (t *transformer) cloudWatchLogsEvent(f *function, name string, p map[string]any) error {
	source := subVars("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${__LogGroupName__}:*",
		map[string]any{"__LogGroupName__": clone(p["LogGroupName"])})
	perm := f.id + name + "Permission"
	if err := t.add(f.id, perm, permission(f, "logs.amazonaws.com", source)); err != nil {
		return err
	}
	filter := f.resource("AWS::Logs::SubscriptionFilter", map[string]any{
		"DestinationArn": f.arn(),
		"LogGroupName":   clone(p["LogGroupName"]),
		"FilterPattern":  clone(p["FilterPattern"]),
	})
	filter["DependsOn"] = appendDependsOn(filter["DependsOn"], perm)
	return t.add(f.id, f.id+name, filter)
}
