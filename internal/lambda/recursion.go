package lambda

import (
	"context"
	"errors"
	"hash/crc32"
	"strconv"

	"github.com/virga/virga/internal/traceheader"
)

// Recursive loop detection, as Lambda documents it: Lambda counts, in the
// Lineage field of the X-Ray trace header, how many times each function
// has run in one chain of requests. The header travels with the chain:
// an invocation hands it to the function (Lambda-Runtime-Trace-Id,
// _X_AMZN_TRACE_ID), the AWS SDKs inside copy it onto the calls the
// function makes (X-Amzn-Trace-Id), SQS keeps it with a message
// (AWSTraceHeader), SNS and S3 pass it to the invocations they make
// (S3 through a topic too), and Invoke takes the caller's. A function
// whose RecursiveLoop is Terminate (the default) and which has already
// run maxRecursiveInvocations times in the chain is not run again: the
// invocation fails with RecursiveInvocationException and counts in
// RecursiveInvocationsDropped. What becomes of the event is the
// invoker's affair: Invoke answers the error; an asynchronous invocation
// goes to the dead-letter queue or on-failure destination without
// retries; an SQS mapping leaves the batch in the queue, whose redrive
// policy moves it to its dead-letter queue.
const (
	// maxRecursiveInvocations is how many times Lambda runs a function in
	// one chain of requests ("If your function is invoked more than 16
	// times in the same chain of requests, then Lambda automatically
	// stops the next function invocation in that request chain").
	maxRecursiveInvocations = 16

	recursiveLoopAllow     = "Allow"
	recursiveLoopTerminate = "Terminate"
)

// lineageHash names a function in a Lineage: eight hex digits of its
// unqualified ARN, so that its versions and aliases count as one.
func (s *Service) lineageHash(name string) string {
	h := crc32.ChecksumIEEE([]byte(s.functionARN(name)))
	b := strconv.AppendUint(nil, uint64(h)|1<<32, 16)
	return string(b[1:])
}

// chain counts an invocation of fn in the chain of requests its trace
// header carries. It returns the header the function gets (with its
// count in Lineage, and a Root if the header had none), or
// ErrRecursiveInvocation when the loop must stop there.
func (s *Service) chain(fn *function, header string) (string, error) {
	lineage, err := traceheader.ParseLineage(traceheader.Field(header, "Lineage"))
	if err != nil {
		lineage = nil // not Lambda's: the chain starts here
	}
	hash := s.lineageHash(fn.Name)
	n, seen := lineage.Count(hash)
	if seen {
		n++
	}
	if n >= maxRecursiveInvocations && fn.RecursiveLoop != recursiveLoopAllow {
		s.count(fn.Name, "", MetricRecursiveInvocationsDropped, "Count", 1)
		return "", ErrRecursiveInvocation
	}
	if traceheader.Field(header, "Root") == "" {
		header = traceheader.With(header, "Root", traceheader.NewRoot(s.clock.Now(), s.ids.Hex(12)))
	}
	return traceheader.With(header, "Lineage", lineage.Set(hash, n).String()), nil
}

// isRecursive reports whether err stopped a recursive invocation.
func isRecursive(err error) bool { return errors.Is(err, ErrRecursiveInvocation) }

// putFunctionRecursionConfig sets whether a function may run in a
// recursive loop.
func (s *Service) putFunctionRecursionConfig(ctx context.Context, in *PutFunctionRecursionConfigRequest) (*PutFunctionRecursionConfigResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, err := s.concurrencyFunction(*in.FunctionName, false)
	if err != nil {
		return nil, err
	}
	fn = fn.clone()
	fn.RecursiveLoop = ""
	if *in.RecursiveLoop == RecursiveLoop(recursiveLoopAllow) {
		fn.RecursiveLoop = recursiveLoopAllow
	}
	w := s.newWrites()
	w.putMeta(fn)
	if err := s.commitFunction(w, fn); err != nil {
		return nil, err
	}
	return &PutFunctionRecursionConfigResponse{RecursiveLoop: in.RecursiveLoop}, nil
}

// getFunctionRecursionConfig returns a function's recursive loop
// detection setting.
func (s *Service) getFunctionRecursionConfig(ctx context.Context, in *GetFunctionRecursionConfigRequest) (*GetFunctionRecursionConfigResponse, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn, err := s.concurrencyFunction(*in.FunctionName, false)
	if err != nil {
		return nil, err
	}
	mode := RecursiveLoop(recursiveLoopTerminate)
	if fn.RecursiveLoop == recursiveLoopAllow {
		mode = recursiveLoopAllow
	}
	return &GetFunctionRecursionConfigResponse{RecursiveLoop: &mode}, nil
}
