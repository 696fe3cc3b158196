package awsproto

// PathResource returns a Resources function for services whose IAM
// resources are their REST paths, as API Gateway's are
// (arn:aws:apigateway:REGION::/restapis/ID/...).
func PathResource(service, region string) func(c *Call, in any) []string {
	prefix := "arn:aws:" + service + ":" + region + "::"
	return func(c *Call, in any) []string {
		if c.Request == nil || c.Request.URL == nil {
			return nil
		}
		return []string{prefix + c.Request.URL.Path}
	}
}
