package stepfunctions

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/virga/virga/internal/stepfunctions/asl"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// machine is a state machine as the store keeps it.
type machine struct {
	Name       string            `json:"name"`
	ARN        string            `json:"arn"`
	Definition string            `json:"definition"`
	RoleArn    string            `json:"roleArn"`
	Type       string            `json:"type"`
	Created    time.Time         `json:"created"`
	Updated    time.Time         `json:"updated"`
	Tags       map[string]string `json:"tags,omitempty"`
	Logging    json.RawMessage   `json:"logging,omitempty"`
	Tracing    bool              `json:"tracing,omitempty"`
	// Status is "DELETING" from DeleteStateMachine until its running
	// executions have stopped; empty is ACTIVE.
	Status string `json:"status,omitempty"`
	// Revision is the revisionId: empty until an update changes the
	// machine, then a new UUID at each change.
	Revision string `json:"revision,omitempty"`
	// LastVersion is the highest version number published: numbers are
	// never reused, even after a version is deleted.
	LastVersion int64 `json:"lastVersion,omitempty"`
}

// version is a published, immutable state machine version.
type version struct {
	Number      int64           `json:"number"`
	Definition  string          `json:"definition"`
	RoleArn     string          `json:"roleArn"`
	Type        string          `json:"type"`
	Revision    string          `json:"revision,omitempty"`
	Description string          `json:"description,omitempty"`
	Created     time.Time       `json:"created"`
	Logging     json.RawMessage `json:"logging,omitempty"`
	Tracing     bool            `json:"tracing,omitempty"`
}

// alias routes executions to one or two versions by weight.
type alias struct {
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Routes      []route   `json:"routes"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
}

// route is one version an alias sends a share of its executions to.
type route struct {
	Version int64 `json:"version"`
	Weight  int32 `json:"weight"`
}

// statusDeleting is a machine's status while DeleteStateMachine stops
// its executions.
const statusDeleting = "DELETING"

// execution is a standard execution as the store keeps it (express
// executions live in memory only, as AWS keeps no history of them).
type execution struct {
	ARN        string `json:"arn"`
	MachineARN string `json:"machineArn"`
	Machine    string `json:"machine"`
	Name       string `json:"name"`
	Express    bool   `json:"express,omitempty"`
	// VersionARN and AliasARN are the version and alias the execution
	// was started through, if any.
	VersionARN string `json:"versionArn,omitempty"`
	AliasARN   string `json:"aliasArn,omitempty"`
	// Revision is the revisionId of the definition it runs.
	Revision   string    `json:"revision,omitempty"`
	Definition string    `json:"definition"` // the definition it started with
	RoleArn    string    `json:"roleArn"`
	Status     string    `json:"status"`
	Start      time.Time `json:"start"`
	Stop       time.Time `json:"stop,omitzero"`
	Input      string    `json:"input"`
	Output     *string   `json:"output,omitempty"`
	Error      *string   `json:"error,omitempty"`
	Cause      *string   `json:"cause,omitempty"`
	Trace      string    `json:"trace,omitempty"`
	// At and AtInput are the top-level state the execution entered last
	// and that state's input: a resumed execution starts there.
	At      string    `json:"at,omitempty"`
	AtInput string    `json:"atInput,omitempty"`
	AtTime  time.Time `json:"atTime,omitzero"`
	// AtVars are the variables then (JSON).
	AtVars string `json:"atVars,omitempty"`
	// Events is the number of history events.
	Events int64 `json:"events"`
	// RedriveCount and RedriveDate count and date the redrives;
	// Redrives are the client tokens of the last ones.
	RedriveCount int32          `json:"redriveCount,omitempty"`
	RedriveDate  time.Time      `json:"redriveDate,omitzero"`
	Redrives     []redriveToken `json:"redrives,omitempty"`
	// Branches says that branches of the top-level Parallel or Map
	// state At are recorded as succeeded.
	Branches bool `json:"branches,omitempty"`
	// Log is where the execution logs its events, from the
	// LoggingConfiguration it started with; nil logs nothing.
	Log *logTarget `json:"log,omitempty"`
	// MapRun is the Map Run of the top-level Distributed Map state At:
	// a resumed or redriven execution goes on with it.
	MapRun string `json:"mapRun,omitempty"`
}

// mapRun is a Distributed Map state's Map Run as the store keeps it.
type mapRun struct {
	asl.MapRunInfo
	Execution string `json:"execution"` // its execution's ARN
}

// redriveToken is a RedriveExecution clientToken: the same token within
// 15 minutes answers the same redrive.
type redriveToken struct {
	Token string    `json:"token"`
	Date  time.Time `json:"date"`
}

// branch is a branch or iteration of a top-level Parallel or Map state
// that succeeded, with its output (JSON).
type branch struct {
	Index  int    `json:"index"`
	Output string `json:"output"`
}

// event is a history event as the store keeps it.
type event struct {
	ID        int64     `json:"id"`
	Prev      int64     `json:"prev"`
	Type      string    `json:"type"`
	Time      time.Time `json:"time"`
	State     string    `json:"state,omitempty"`
	Input     *string   `json:"input,omitempty"`
	Output    *string   `json:"output,omitempty"`
	Error     *string   `json:"error,omitempty"`
	Cause     *string   `json:"cause,omitempty"`
	Resource  string    `json:"resource,omitempty"`
	Kind      string    `json:"kind,omitempty"`
	Params    *string   `json:"params,omitempty"`
	Timeout   int64     `json:"timeout,omitempty"`
	Heartbeat int64     `json:"heartbeat,omitempty"`
	Index     int       `json:"index,omitempty"`
	Length    int       `json:"length,omitempty"`
	RoleArn   string    `json:"roleArn,omitempty"`
	Worker    string    `json:"worker,omitempty"`
	MapRunArn string    `json:"mapRunArn,omitempty"` // of MapRunStarted
	Redrive   int32     `json:"redrive,omitempty"`   // redriveCount of ExecutionRedriven
	// Assigned are the variables a *StateExited event's state assigned,
	// as JSON text.
	Assigned map[string]string `json:"assigned,omitempty"`
}

func branchPrefix(machine, name string) []byte {
	return keys.AppendString(keys.AppendString(base("branch"), machine), name)
}

func branchKey(machine, name string, i int) []byte {
	return keys.AppendUint(branchPrefix(machine, name), uint64(i))
}

// loadBranches returns the outputs of the branches recorded as
// succeeded.
func (s *Service) loadBranches(machine, name string) map[int]any {
	done := map[int]any{}
	scan[branch](s.store, branchPrefix(machine, name), func(b *branch) bool {
		if v, err := asl.Decode([]byte(b.Output)); err == nil {
			done[b.Index] = v
		}
		return true
	})
	return done
}

func mapRunPrefix(machine string) []byte { return keys.AppendString(base("maprun"), machine) }

func mapRunKey(machine, id string) []byte { return keys.AppendString(mapRunPrefix(machine), id) }

func base(kind string) []byte { return keys.AppendString(keys.AppendString(nil, "sfn"), kind) }

func machineKey(name string) []byte { return keys.AppendString(base("machine"), name) }

func versionPrefix(machine string) []byte { return keys.AppendString(base("version"), machine) }

func versionKey(machine string, n int64) []byte {
	return keys.AppendUint(versionPrefix(machine), uint64(n))
}

func aliasPrefix(machine string) []byte { return keys.AppendString(base("alias"), machine) }

func aliasKey(machine, name string) []byte { return keys.AppendString(aliasPrefix(machine), name) }

func execPrefix(machine string) []byte { return keys.AppendString(base("exec"), machine) }

func execKey(machine, name string) []byte { return keys.AppendString(execPrefix(machine), name) }

func eventPrefix(machine, name string) []byte {
	return keys.AppendString(keys.AppendString(base("event"), machine), name)
}

func eventKey(machine, name string, id int64) []byte {
	return keys.AppendUint(eventPrefix(machine, name), uint64(id))
}

func getJSON[T any](st store.Store, key []byte) (*T, error) {
	raw, err := st.Get(key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

func (s *Service) put(kvs ...any) error {
	b := s.store.NewBatch()
	defer b.Close()
	for i := 0; i < len(kvs); i += 2 {
		raw, err := json.Marshal(kvs[i+1])
		if err != nil {
			return err
		}
		b.Set(kvs[i].([]byte), raw)
	}
	return b.Commit()
}

func (s *Service) loadMachine(name string) (*machine, error) {
	return getJSON[machine](s.store, machineKey(name))
}

func (s *Service) loadExecution(machine, name string) (*execution, error) {
	return getJSON[execution](s.store, execKey(machine, name))
}

// scan calls f with every value under prefix, in key order.
func scan[T any](st store.Store, prefix []byte, f func(*T) bool) error {
	it, err := st.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		var v T
		if err := json.Unmarshal(it.Value(), &v); err != nil {
			return err
		}
		if !f(&v) {
			break
		}
	}
	return it.Error()
}

func (s *Service) deleteMachineData(name string) error {
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(machineKey(name))
	// "The DeleteStateMachine API action deletes all versions and
	// aliases associated with a state machine."
	b.DeleteRange(versionPrefix(name), keys.PrefixEnd(versionPrefix(name)))
	b.DeleteRange(aliasPrefix(name), keys.PrefixEnd(aliasPrefix(name)))
	b.DeleteRange(mapRunPrefix(name), keys.PrefixEnd(mapRunPrefix(name)))
	if err := b.Commit(); err != nil {
		return err
	}
	var execs []string
	if err := scan[execution](s.store, execPrefix(name), func(e *execution) bool { execs = append(execs, e.Name); return true }); err != nil {
		return err
	}
	b2 := s.store.NewBatch()
	defer b2.Close()
	for _, e := range execs {
		b2.Delete(execKey(name, e))
		b2.DeleteRange(eventPrefix(name, e), keys.PrefixEnd(eventPrefix(name, e)))
		b2.DeleteRange(branchPrefix(name, e), keys.PrefixEnd(branchPrefix(name, e)))
	}
	return b2.Commit()
}
