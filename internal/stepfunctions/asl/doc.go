// Package asl is the Amazon States Language: it parses and validates a
// state machine definition (Parse, whose DefinitionError is worded as
// Step Functions' InvalidDefinition) and runs it (Run) against an Env
// that supplies the clock, the Task resources and the execution history.
//
// Supported: the eight state types (Pass, Task, Choice with every
// comparison operator, their *Path forms, And/Or/Not and the Is*
// tests, Wait with Seconds/Timestamp/SecondsPath/TimestampPath,
// Succeed, Fail with Error/Cause/ErrorPath/CausePath, Parallel, inline
// Map with ItemsPath, ItemSelector or Parameters, MaxConcurrency (at
// most 40 iterations run at once, as AWS runs an inline Map) and
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
// JSONata: a machine or a state with QueryLanguage "JSONata" takes
// Arguments, Output and Assign (and a Map state Items and ItemSelector,
// a Choice rule Condition) whose "{% expression %}" strings are JSONata
// expressions over $states.input, $states.result, $states.errorOutput
// (in Catch), $states.context and the variables; Seconds, Timestamp,
// TimeoutSeconds, HeartbeatSeconds, Error, Cause and MaxConcurrency may
// be expressions too. Expressions are evaluated by
// github.com/xiatechs/jsonata-go (JSONata 1.8), with Step Functions'
// $partition, $range, $hash, $random, $uuid and $parse added; a failing
// or undefined expression raises States.QueryEvaluationError. Sizes are
// bounded so that an expression cannot allocate without end: a range
// ([a..b]) holds at most 10,000,000 items, JSONata's own limit, and
// $pad pads to at most 262,144 characters, a state's whole payload. Variables
// (Assign) are evaluated with the values from before the state and then
// set; a Parallel branch or Map iteration sees a copy of its parent's.
//
// Not supported: variables in JSONPath states ("$name" references and
// Assign there), the size limits of variables, Distributed Map
// (ItemReader, ResultWriter, ItemBatcher, Mode DISTRIBUTED) and
// ToleratedFailure*, which Parse refuses; JSONPath filter expressions;
// functions JSONata gained after 1.8.
//
// An expression that defines a function is evaluated in a worker
// process (jsonata_worker.go): the library bounds neither its recursion
// nor the Go stack it grows, and a Go stack overflow cannot be recovered.
// So is an expression that uses the range operator, each use of which
// may allocate 10,000,000 items. A worker may map 2 GiB beyond its size
// at start (RLIMIT_AS), so an expression that builds ever larger values
// ends its worker rather than taking the machine's memory. A worker
// that dies, uses ten seconds of CPU time or waits two minutes (on a
// busy machine it waits for a CPU) fails only its expression, with
// States.QueryEvaluationError; the others run in process. In a worker,
// $random and $uuid take their randomness from the operating system,
// not from the execution's Env.
package asl
