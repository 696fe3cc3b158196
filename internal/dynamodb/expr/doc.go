// Package expr implements DynamoDB's expression languages: condition and
// filter expressions, update expressions, projection expressions and key
// condition expressions.
//
// Each language is parsed by ParseCondition (or ParseFilter), ParseUpdate,
// ParseProjection and ParseKeyCondition, which take the expression and the
// request's ExpressionAttributeNames and ExpressionAttributeValues. A parse
// applies DynamoDB's rules in DynamoDB's order and fails with an *Error whose
// Message is DynamoDB's own, for example
//
//	Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "SET a"
//	Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status
//
// The results evaluate against attr.Items: Condition.Eval, Update.Apply,
// Projection.Project and KeyCondition.Resolve (against a key schema).
//
// Every parsed expression reports the placeholders it used (Refs). A request
// may carry several expressions sharing one set of names and values, and
// DynamoDB refuses names or values that none of them uses; the caller adds
// each expression's Refs to a Usage and calls Usage.Check once all have
// parsed:
//
//	var u expr.Usage
//	cond, err := expr.ParseCondition(in.ConditionExpression, in.Names, in.Values)
//	...
//	u.Add(cond.Refs())
//	upd, err := expr.ParseUpdate(in.UpdateExpression, in.Names, in.Values)
//	...
//	u.Add(upd.Refs())
//	if err := u.Check(in.Names, in.Values); err != nil { ... }
//
// Files: lexer.go (tokens), parser.go (the grammar, in one place), ast.go
// (paths and nodes), check.go (semantic rules and their order), and one file
// per expression kind with its evaluator (condition.go and eval.go,
// update.go, projection.go, keycond.go); reserved.go holds DynamoDB's
// reserved words and usage.go the cross-expression checks.
//
// The package must not know about HTTP or JSON, tables or storage: key
// schemas and items come from the caller. Parsed expressions are immutable
// and safe for concurrent use.
package expr
