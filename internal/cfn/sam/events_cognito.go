package sam

// cognitoEvent is SAM's Cognito event: the user pool, which must be an
// AWS::Cognito::UserPool of the same template named with a Ref, gets the
// function's ARN in its LambdaConfig under each trigger the event names
// (Trigger is one name or a list, passed to LambdaConfig as SAM's
// documentation says), and FUNCTIONCognitoPermission lets Cognito, from
// that pool, invoke the function. The permission's logical ID does not
// name the event, as AWS's translator writes it: a function with Cognito
// events for two pools gets one permission, for the pool of the last
// event, which replaces the others.
func (t *transformer) cognitoEvent(f *function, name string, p map[string]any) error {
	m, _ := p["UserPool"].(map[string]any)
	id, _ := m["Ref"].(string)
	pool, _ := t.out[id].(map[string]any)
	if id == "" || pool == nil || pool["Type"] != "AWS::Cognito::UserPool" {
		// Wording unconfirmed.
		return eventError(f.id, name, "Cognito events must reference a Cognito UserPool in the same template.")
	}
	var triggers []any
	switch tr := p["Trigger"].(type) {
	case []any:
		triggers = tr
	default:
		triggers = []any{tr}
	}
	perm := f.id + "CognitoPermission"
	if f.cognitoPermission {
		delete(t.out, perm)
	}
	if err := t.add(f.id, perm, f.resource("AWS::Lambda::Permission", map[string]any{
		"Action":       "lambda:InvokeFunction",
		"FunctionName": f.name(),
		"Principal":    "cognito-idp.amazonaws.com",
		"SourceArn":    getAtt(id, "Arn"),
	})); err != nil {
		return err
	}
	f.cognitoPermission = true
	props, _ := pool["Properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		pool["Properties"] = props
	}
	lc, _ := props["LambdaConfig"].(map[string]any)
	if lc == nil {
		lc = map[string]any{}
		props["LambdaConfig"] = lc
	}
	for _, tr := range triggers {
		s, ok := tr.(string)
		if !ok || s == "" {
			return eventError(f.id, name, "Type of property 'Trigger' is invalid.")
		}
		lc[s] = f.arn()
	}
	return nil
}
