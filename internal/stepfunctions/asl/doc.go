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
// (ErrorEquals with States.ALL and States.TaskFailed as wildcards and
// States.Timeout naming States.HeartbeatTimeout too,
// IntervalSeconds, MaxAttempts, BackoffRate, MaxDelaySeconds,
// JitterStrategy) and Catch; Task TimeoutSeconds/HeartbeatSeconds and
// their *Path forms; the intrinsic functions of the JSONPath query
// language. Retries and waits wait on the Env's clock.
//
// Distributed Map: a Map state whose ProcessorConfig has Mode
// DISTRIBUTED (and ExecutionType STANDARD or EXPRESS) runs each item,
// or with an ItemBatcher (MaxItemsPerBatch, MaxInputBytesPerBatch,
// BatchInput) each batch {"BatchInput": ..., "Items": [...]}, as a child
// workflow execution, in process, MaxConcurrency at a time (10,000, AWS's
// default, when not given). ItemSelector applies to each item before
// batching. The children's events are not the execution's: its history
// records MapRunStarted, with the Map Run's ARN
// (arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:UUID, a UUID
// standing for a missing Label; the execution's own state, resumed or
// redriven, keeps the ARN it had, Execution.MapRunARN), then MapRunSucceeded, or MapRunFailed
// when the failed children exceed the tolerated failure threshold,
// which fails the state with States.ExceedToleratedFailureThreshold
// (the cause is virga's wording). The threshold is
// ToleratedFailureCount and ToleratedFailurePercentage (of the
// children), their *Path forms, or in a JSONata state expressions;
// either one exceeded fails the Map Run, and with neither a single
// failure does. Every child runs to its end before the threshold is
// judged (AWS may stop starting children once it is exceeded, so no
// child is ever PENDING at the end). The Map Run (MapRun) counts its
// children and their items by status and tells the Env of each change
// (Env.MapRunChanged); MapRun.Update changes its MaxConcurrency, which
// the children not started yet obey, and its threshold. The state's output holds each succeeded
// child's output and each failed child's execution result unchanged
// (ExecutionArn, Name, Input, Status FAILED, Error, Cause, dates, as
// Transformation NONE). A ResultWriter with Resource
// arn:aws:states:::s3:putObject and Parameters (Arguments) Bucket and
// Prefix writes, through Env.WriteObject, the children's results to
// PREFIX/UUID/SUCCEEDED_0.json and FAILED_0.json (UUID ending the Map
// Run's ARN; only statuses with results have a file, each one file)
// and manifest.json (DestinationBucket, MapRunArn, ResultFiles by
// status with Key and Size), also when the Map Run fails; the state's
// output is then {MapRunArn, ResultWriterDetails: {Bucket, Key}} of the
// manifest. A file that cannot be written fails the state with
// States.ResultWriterFailed. WriterConfig's Transformation (NONE, the
// default when exporting, COMPACT, the default without a ResultWriter,
// or FLATTEN) formats the results, a failed child's always whole;
// WriterConfig alone formats the state's output. Label, ItemBatcher,
// ItemReader, ResultWriter and ToleratedFailure* are refused outside
// DISTRIBUTED mode. An ItemReader reads the items from a file in S3
// (arn:aws:states:::s3:getObject, Parameters Bucket, Key and VersionId,
// through Env.ReadObject): InputType JSON (an array), JSONL (a value a
// line) or CSV (each row an object from column name to text, the names
// from the first row or CSVHeaders, CSVDelimiter COMMA, PIPE,
// SEMICOLON, SPACE or TAB), at most ReaderConfig's MaxItems; a file it
// cannot read fails the state with States.ItemReaderFailed.
//
// JSONPath: $, .name, ['name'], [index] (negative from the end), [*],
// .*, [start:end] and ..name, a dot before a bracket being allowed
// ($.[0] is $[0]); no filter expressions ([?(...)]).
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
// Assign there), the size limits of variables, a Distributed Map's
// WriterConfig OutputType JSONL, MaxItemsPerBatchPath,
// MaxInputBytesPerBatchPath and MaxItemsPath, ItemReaders other than
// s3:getObject of JSON, JSONL or CSV (s3:listObjectsV2, MANIFEST,
// PARQUET), and in a JSONata state BatchInput and an ItemReader's
// Arguments, which Parse refuses; JSONPath filter expressions;
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
