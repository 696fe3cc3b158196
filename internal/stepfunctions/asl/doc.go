// Package asl is the Amazon States Language: it parses and validates a
// state machine definition (Parse, whose DefinitionError is worded as
// Step Functions' InvalidDefinition) and runs it (Run) against an Env
// that supplies the clock, the Task resources and the execution history.
//
// Supported: the eight state types (Pass, Task, Choice with every
// comparison operator, their *Path forms, And/Or/Not and the Is*
// tests, Wait with Seconds/Timestamp/SecondsPath/TimestampPath,
// Succeed, Fail with Error/Cause/ErrorPath/CausePath, Parallel, inline
// Map with ItemsPath, ItemSelector or Parameters, MaxConcurrency and
// ItemProcessor or Iterator); input and output processing (InputPath,
// Parameters with ".$" fields and the context object "$$",
// ResultSelector, ResultPath, OutputPath, null paths); Retry
// (ErrorEquals with States.ALL and States.TaskFailed as wildcards,
// IntervalSeconds, MaxAttempts, BackoffRate, MaxDelaySeconds,
// JitterStrategy) and Catch; Task TimeoutSeconds/HeartbeatSeconds and
// their *Path forms; the intrinsic functions of the JSONPath query
// language. Retries and waits wait on the Env's clock.
//
// JSONPath: $, .name, ['name'], [index] (negative from the end), [*],
// .*, [start:end] and ..name; no filter expressions ([?(...)]).
//
// Validation finds unknown state types, missing fields, bad paths and
// templates, transitions to missing states (MISSING_TRANSITION_TARGET),
// unreachable states and machines with no terminal state
// (MISSING_END_STATE). The MISSING_* messages follow AWS's; the
// SCHEMA_VALIDATION_FAILED messages are virga's wording, since AWS's
// could not be confirmed for every case.
//
// Not supported: the JSONata query language (QueryLanguage "JSONata",
// Arguments, Output) and variables (Assign), which Parse refuses;
// Distributed Map (ItemReader, ResultWriter, ItemBatcher, Mode
// DISTRIBUTED) and ToleratedFailure*, which Parse refuses; JSONPath
// filter expressions.
package asl
