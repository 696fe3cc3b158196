package pipes

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// The store layout, every key under "pipes" and the account:
//
//	p/NAME         pipeRecord (JSON)
//	c/NAME/SHARD   a stream source's checkpoint in a shard (8 bytes: the
//	               Seq of the last record processed)
//
// A pipe's checkpoints go when the pipe goes.

func rootKey(account, kind string) []byte {
	k := keys.AppendString(nil, "pipes")
	k = keys.AppendString(k, kind)
	return keys.AppendString(k, account)
}

func pipeKey(account, name string) []byte { return keys.AppendString(rootKey(account, "p"), name) }

func checkpointsPrefix(account, name string) []byte {
	return keys.AppendString(rootKey(account, "c"), name)
}

func checkpointKey(account, name, shard string) []byte {
	return keys.AppendString(checkpointsPrefix(account, name), shard)
}

// pipeRecord is a pipe as stored: everything DescribePipe answers.
type pipeRecord struct {
	Name                 string
	Description          *string `json:",omitempty"`
	DesiredState         string
	CurrentState         string
	StateReason          string `json:",omitempty"`
	Source               string
	SourceParameters     *PipeSourceParameters     `json:",omitempty"`
	Enrichment           string                    `json:",omitempty"`
	EnrichmentParameters *PipeEnrichmentParameters `json:",omitempty"`
	Target               string
	TargetParameters     *PipeTargetParameters `json:",omitempty"`
	RoleArn              string
	Tags                 map[string]string `json:",omitempty"`
	Created, Modified    time.Time
}

func putPipe(b store.Batch, account string, r *pipeRecord) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	b.Set(pipeKey(account, r.Name), v)
	return nil
}

// loadCheckpoint is the position a pipe has processed a shard to; ok is
// false when it has none yet.
func loadCheckpoint(st store.Store, account, name, shard string) (uint64, bool, error) {
	v, err := st.Get(checkpointKey(account, name, shard))
	if errors.Is(err, store.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil || len(v) != 8 {
		return 0, false, err
	}
	return binary.BigEndian.Uint64(v), true, nil
}

func saveCheckpoint(st store.Store, account, name, shard string, pos uint64) error {
	b := st.NewBatch()
	defer b.Close()
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], pos)
	b.Set(checkpointKey(account, name, shard), v[:])
	// A checkpoint lost in a crash means records processed again, which
	// at-least-once delivery allows.
	return b.CommitNoWait()
}

// deletePipe removes a pipe's record and checkpoints.
func deletePipe(b store.Batch, account, name string) {
	b.Delete(pipeKey(account, name))
	p := checkpointsPrefix(account, name)
	b.DeleteRange(p, keys.PrefixEnd(p))
}

// scan calls f with each value under prefix.
func scan(r store.Reader, prefix []byte, f func(value []byte) error) error {
	it, err := r.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return err
	}
	for it.First(); it.Valid(); it.Next() {
		if err := f(it.Value()); err != nil {
			it.Close()
			return err
		}
	}
	return it.Close()
}
