// Package partiql reads the subset of PartiQL that DynamoDB accepts in
// ExecuteStatement, BatchExecuteStatement and ExecuteTransaction, and turns
// its pieces into the expressions package expr evaluates.
//
// Parse reads one statement into an AST (ast.go) with the grammar in
// grammar.go:
//
//	SELECT * | path [, path ...] FROM "table"[."index"] [WHERE cond] [ORDER BY key [ASC|DESC] [, ...]]
//	INSERT INTO "table" VALUE {'attr': value, ...}
//	UPDATE "table" SET path = value [, ...] | REMOVE path [, ...] ... WHERE cond [RETURNING (ALL|MODIFIED) (OLD|NEW) *]
//	FROM "table" WHERE cond SET ... | REMOVE ...   (the FROM-first form of UPDATE)
//	DELETE FROM "table" WHERE cond [RETURNING ALL OLD *]
//	EXISTS(SELECT ...)                              (ExecuteTransaction only)
//
// Values are PartiQL literals ('string', numbers, TRUE, FALSE, NULL, {'k': v}
// tuples, [ ] lists, <<'a', 'b'>> sets), ? parameters and document paths
// (bare or "quoted" names, a.b[1]). Conditions have = <> != < <= > >=, AND,
// OR, NOT, BETWEEN, IN, IS [NOT] MISSING|NULL|<type>, and the functions
// begins_with, contains, attribute_type, attribute_exists,
// attribute_not_exists and size. Keywords are case-insensitive; comments are
// -- to the end of a line and /* ... */.
//
// The package evaluates nothing itself. Value (value.go) turns a constant
// (a literal, a parameter, a tuple or a collection of them) into an
// attr.Value; Condition, UpdateActions and Projection (compile.go) render a WHERE
// clause, SET and REMOVE actions or a projection list as DynamoDB expression
// strings with placeholders for every name and value, and parse them with
// package expr, so that PartiQL and the expression API share one evaluator
// and one set of semantic rules. KeysOf (keys.go) finds the key conditions a
// WHERE clause holds, which decide whether a statement reads one item, some
// partitions or the whole table.
//
// Files: lexer.go (tokens and comments), grammar.go (the grammar, in one
// place), keywords.go (PartiQL's reserved words, which must be "quoted" to
// name attributes), ast.go, format.go (a canonical rendering, which parses
// back to the same statement), value.go, compile.go, keys.go.
//
// Errors are *Error values carrying DynamoDB's message, such as
//
//	Statement wasn't well formed, can't be processed: Unexpected token after expression
//	Unrecognized function: exists at 1:43:6
//
// The package must not know about tables, storage or the wire format: key
// schemas and parameter values come from the caller (package dynamodb).
// Parsed statements are immutable and safe for concurrent use.
package partiql
