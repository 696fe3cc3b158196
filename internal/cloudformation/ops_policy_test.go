package cloudformation

import "testing"

// TestPolicyDenial: which changes a stack policy refuses, and the words
// it refuses them with.
func TestPolicyDenial(t *testing.T) {
	const guardDB = `{"Statement":[
		{"Effect":"Allow","Action":"Update:*","Principal":"*","Resource":"*"},
		{"Effect":"Deny","Action":["Update:Replace","Update:Delete"],"Principal":"*","Resource":"LogicalResourceId/Db*"},
		{"Effect":"Deny","Action":"Update:*","Principal":"*","NotResource":"LogicalResourceId/Open*",
		 "Condition":{"StringEquals":{"ResourceType":["AWS::DynamoDB::Table"]}}}]}`
	const modifyOnly = `{"Statement":[{"Effect":"Allow","NotAction":["Update:Replace","Update:Delete"],"Principal":"*","Resource":"*"}]}`
	for _, c := range []struct {
		policy string
		ch     changeRecord
		want   string
	}{
		{"", changeRecord{Action: "Remove", LogicalID: "Db", Type: "AWS::SQS::Queue"}, ""},
		{guardDB, changeRecord{Action: "Add", LogicalID: "DbNew", Type: "AWS::SQS::Queue"}, ""},
		{guardDB, changeRecord{Action: "Modify", LogicalID: "DbMain", Type: "AWS::SQS::Queue"}, ""},
		{guardDB, changeRecord{Action: "Modify", Replacement: "True", LogicalID: "DbMain", Type: "AWS::SQS::Queue"},
			"Action denied by stack policy: Statement [#2] does not allow [Update:Replace] for resource [LogicalResourceId/DbMain]"},
		{guardDB, changeRecord{Action: "Remove", LogicalID: "Db", Type: "AWS::SQS::Queue"},
			"Action denied by stack policy: Statement [#2] does not allow [Update:Delete] for resource [LogicalResourceId/Db]"},
		{guardDB, changeRecord{Action: "Modify", LogicalID: "Table", Type: "AWS::DynamoDB::Table"},
			"Action denied by stack policy: Statement [#3] does not allow [Update:Modify] for resource [LogicalResourceId/Table]"},
		{guardDB, changeRecord{Action: "Modify", LogicalID: "OpenTable", Type: "AWS::DynamoDB::Table"}, ""},
		{modifyOnly, changeRecord{Action: "Modify", Replacement: "Conditional", LogicalID: "Q", Type: "AWS::SQS::Queue"}, ""},
		{modifyOnly, changeRecord{Action: "Remove", LogicalID: "Q", Type: "AWS::SQS::Queue"},
			"Action denied by stack policy: No statement allows [Update:Delete] for resource [LogicalResourceId/Q]"},
	} {
		if got := policyDenial(c.policy, c.ch); got != c.want {
			t.Errorf("%s %s %s: %q, want %q", c.ch.Action, c.ch.Replacement, c.ch.LogicalID, got, c.want)
		}
	}
}

// FuzzPolicyDenial: no policy text makes the evaluation panic.
func FuzzPolicyDenial(f *testing.F) {
	f.Add(`{"Statement":[{"Effect":"Deny","Action":"Update:*","Principal":"*","Resource":"*"}]}`, "Modify", "A")
	f.Add(`{"Statement":[{"Effect":"Allow","NotAction":["Update:Delete"],"NotResource":"LogicalResourceId/*","Condition":{"StringLike":{"ResourceType":"AWS::*"}}}]}`, "Remove", "B")
	f.Add(`{"Statement":{"Effect":"Allow"}}`, "Modify", "")
	f.Add(`[1,2]`, "Remove", "x")
	f.Fuzz(func(t *testing.T, policy, action, id string) {
		policyDenial(policy, changeRecord{Action: action, LogicalID: id, Type: "AWS::SNS::Topic"})
	})
}
