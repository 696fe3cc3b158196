// Package template is CloudFormation's template language: it parses
// templates written in JSON or YAML, validates them as ValidateTemplate
// does, resolves parameters, evaluates conditions and intrinsic functions,
// and orders resources by their dependencies. The CloudFormation service
// and the SAM transform are built on it.
//
// # What it owns and what it must not do
//
// The package is pure: it calls no AWS API, keeps no state and touches no
// store. What only a running stack knows (a created resource's physical
// ID and attributes, another stack's exports) it asks of a Resolver that
// the engine provides. Every type is immutable once built and safe for
// concurrent use; the package has no mutable package-level state.
//
// # The pipeline
//
//	body ──Parse──▶ *Template ──Validate──▶ ok
//	                   │
//	     overrides ──ResolveParameters──▶ *Values
//	                   │
//	                EvalConditions ──▶ map[string]bool
//	                   │
//	                 Graph ──▶ Waves (create) / DeletionWaves (delete)
//	                   │
//	  for each resource, wave by wave:
//	    Eval(Properties, &EvalContext{..., Resolver}) ──▶ plain values
//
// A transform (SAM) reads Template.Tree, which keeps every top-level key
// including Globals, and builds a new template with FromTree.
//
// # The tree
//
// Parse turns a template into plain Go values: map[string]any, []any,
// string, json.Number, bool and nil. JSON and YAML forms of one template
// give the same tree. YAML short forms become long ones: "!GetAtt A.B"
// and "!GetAtt [A, B]" both become {"Fn::GetAtt": ["A", "B"]}, "!Ref X"
// becomes {"Ref": "X"}. Plain YAML scalars are read as YAML 1.1, like
// CloudFormation: yes, no, on and off are booleans; decimal numbers are
// json.Number with their spelling; dates and times stay strings, so
// AWSTemplateFormatVersion: 2010-09-09 is the text "2010-09-09". YAML 1.1
// forms that would change a value's spelling (octal 0755, hexadecimal,
// sexagesimal, .inf) are kept as strings. Duplicate keys are an error.
//
// Positions are kept apart from the tree, by JSON pointer ("/Resources/
// Bucket/Properties/BucketName"), and errors found anywhere later carry the
// line and column of the node they concern (Template.Pos).
//
// # Errors
//
// Every error is an *Error whose Message is CloudFormation's own wording,
// so that the service answers ValidationError with it: "Template format
// error: Unresolved resource dependencies [X] in the Resources block of
// the template", "Template error: instance of Fn::GetAtt references
// undefined resource X", "Circular dependency between resources: [A, B]",
// "Parameters: [X] must have values", "Parameter 'X' must be one of
// AllowedValues". Error() adds the position and detail. Where AWS's
// wording could not be confirmed a comment at the message says so and the
// same style is kept. Features virga does not implement give errors that
// wrap ErrNotSupported: Fn::Transform left in a tree, dynamic references
// in Outputs, and AWS::SSM::Parameter::Value<...> parameters when the
// caller gives no SSMLookup.
//
// # Systems Manager parameters and dynamic references
//
// ResolveParametersWith reads AWS::SSM::Parameter::Value<...>
// parameters through the caller's SSMLookup: the value given (or the
// Default) is a parameter name, ParamValue.Resolved holds what the
// parameter holds, and Ref gives that (a list for List<String>,
// CommaDelimitedList and List<AWS-specific> inner types). Names that do
// not exist are reported together ("Unable to fetch parameters [...]
// from parameter store for this account."); SecureString parameters are
// refused, as AWS refuses them. Validate checks that the dynamic
// references ({{resolve:...}}, package dynref) in resource properties
// parse, that there are at most 60, and that custom resources read no
// secure values; the engine resolves them.
//
// # Evaluation
//
// Eval evaluates Ref (parameters, pseudo parameters, resources),
// Fn::GetAtt, Fn::Sub (with ${Var}, ${Resource.Attribute}, ${!Literal}
// and the variable map; spaces around a name, "${ Var }", are ignored),
// Fn::Join, Fn::Select, Fn::Split, Fn::If,
// Fn::Equals, Fn::And, Fn::Or, Fn::Not, Fn::FindInMap, Fn::Base64,
// Fn::GetAZs, Fn::ImportValue, Fn::Cidr and, from the LanguageExtensions
// transform, Fn::Length and Fn::ToJsonString. Ref AWS::NoValue removes the
// map key or list element that holds it. Only the selected branch of
// Fn::If is evaluated, and a resource whose condition is false cannot be
// referred to.
//
// # Rules
//
// CheckRules evaluates the Rules section with the parameter values and
// conditions, before anything is created or updated: a rule whose
// RuleCondition holds (or that has none) must have every Assert hold,
// or the error's Message is that assertion's AssertDescription. The
// rule functions are Fn::And, Fn::Or, Fn::Not, Fn::Equals, Fn::If,
// Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn and Fn::RefAll;
// Fn::ValueOf and Fn::ValueOfAll read attributes of EC2 resources,
// which virga does not have, and give ErrNotSupported. Rules are
// checked in the order of their names. Validate checks the section's
// shape and that its Refs name parameters; the rule functions are
// refused everywhere else.
//
// # Dependencies
//
// Graph gives, for the resources whose condition holds, what each depends
// on: its DependsOn and the resources its Ref, Fn::GetAtt and Fn::Sub
// name, in the Fn::If branches its conditions select. Waves groups them
// so that each wave depends only on earlier ones and can be created in
// parallel; DeletionWaves is the order for deleting.
package template
