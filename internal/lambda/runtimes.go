package lambda

import (
	"errors"

	"github.com/virga/virga/internal/functions"
)

// checkRuntime refuses a retired runtime with Lambda's message.
func checkRuntime(r Runtime) error {
	if next, ok := functions.Successor(string(r)); ok {
		return invalidParameter("The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. "+
			"We recommend you use the new runtime (%s) while creating or updating functions.", r, next)
	}
	return nil
}

// checkHostRuntime asks the functions package, which holds the table of
// runtimes, whether the host can run a runtime. CreateFunction and
// UpdateFunctionConfiguration refuse an identifier it does not know and
// a runtime whose interpreter the host lacks (the message names what to
// install), so that the mistake shows at once; the runtimes virga has
// no bootstrap for yet (.NET) are accepted, and their invocations fail
// naming the runtime.
func (s *Service) checkHostRuntime(r *Runtime) error {
	if r == nil {
		return nil
	}
	err := s.fns.CheckRuntime(string(*r))
	var re *functions.RuntimeError
	if errors.As(err, &re) {
		if re.Reason == functions.RuntimeNotYet {
			return nil
		}
		return invalidParameter("%s", re.Message)
	}
	return err
}

// Successor returns the runtime Lambda recommends instead of a retired
// one, and whether runtime is retired; virga deploy uses it to run old
// templates (AWS's own SAM hello world names python3.8) with a notice.
func Successor(runtime string) (string, bool) { return functions.Successor(runtime) }

// runtimeVersionARN is the RuntimeVersionConfig.RuntimeVersionArn Lambda
// reports for a function on a managed runtime, the one its log's
// INIT_START lines name (functions.RuntimeVersionARN).
func (s *Service) runtimeVersionARN(r Runtime) string {
	return functions.RuntimeVersionARN(s.region, string(r))
}
