package runtimeapi

// State is where an environment's runtime is in its life cycle, as seen
// from the Runtime API.
type State uint8

// The states of the Runtime API state machine.
const (
	// StateStarting: the runtime process was started and is initializing.
	StateStarting State = iota
	// StateReady: the runtime is waiting on /next for an invocation.
	StateReady
	// StateInvoking: an invocation was handed to the runtime; a response
	// or an error is due.
	StateInvoking
	// StateIdle: initialized and between invocations, not polling.
	StateIdle
	// StateInitFailed: the runtime reported an initialization error.
	StateInitFailed
	// StateClosed: the environment is shutting down.
	StateClosed
)

var stateNames = [...]string{
	StateStarting:   "Starting",
	StateReady:      "Ready",
	StateInvoking:   "Invoking",
	StateIdle:       "Idle",
	StateInitFailed: "InitFailed",
	StateClosed:     "Closed",
}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "Unknown"
}

// action is what moves the state machine: a runtime request or a call
// from the environment.
type action uint8

const (
	actNext        action = iota // GET /invocation/next arrives
	actDispatch                  // the pending /next receives an invocation
	actSupersede                 // a new /next replaces a pending one (abandoned)
	actUndelivered               // the invocation could not be written to the runtime
	actResponse                  // POST /invocation/{id}/response
	actError                     // POST /invocation/{id}/error
	actInitError                 // POST /init/error
)

// transitions is the whole state machine: from a state, an action leads
// to the state given; a missing entry is an invalid transition. Closed
// has no way out.
var transitions = map[State]map[action]State{
	StateStarting: {actNext: StateReady, actInitError: StateInitFailed},
	StateReady:    {actDispatch: StateInvoking, actSupersede: StateIdle},
	StateInvoking: {actResponse: StateIdle, actError: StateIdle, actUndelivered: StateIdle},
	StateIdle:     {actNext: StateReady},
}

// transition is the state that acting from s leads to, and whether the
// transition is allowed.
func transition(s State, a action) (State, bool) {
	to, ok := transitions[s][a]
	if !ok {
		return s, false
	}
	return to, true
}

// Lambda's names of its runtime states, which its Runtime API's
// InvalidStateTransition messages give ("State transition from
// RuntimeResponseSentState to InvocationResponse failed for runtime"):
// Lambda's runtime is Started until its first /next, Ready once an
// invocation was handed to it, RuntimeResponseSentState once it posted
// the response or error, InitError after /init/error. A pending /next
// has no state of its own there; it shows as Ready.
var lambdaStateNames = [...]string{
	StateStarting:   "Started",
	StateReady:      "Ready",
	StateInvoking:   "Ready",
	StateIdle:       "RuntimeResponseSentState",
	StateInitFailed: "InitError",
	StateClosed:     "Closed",
}

// lambdaName is s as Lambda's Runtime API names it in its messages.
func (s State) lambdaName() string {
	if int(s) < len(lambdaStateNames) {
		return lambdaStateNames[s]
	}
	return s.String()
}

// lambdaTargets names the state each runtime request asks for, as
// Lambda's messages give it.
var lambdaTargets = map[action]string{
	actNext:      "Ready",
	actDispatch:  "Ready",
	actResponse:  "InvocationResponse",
	actError:     "InvocationErrorResponse",
	actInitError: "InitError",
}
