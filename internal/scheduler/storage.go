package scheduler

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// The store layout, every key under "scheduler" and the account:
//
//	g/GROUP        groupRecord (JSON)
//	s/GROUP/NAME   scheduleRecord (JSON)
//	f/GROUP/NAME   the last occurrence claimed for firing (8 bytes, Unix ns)
//
// A schedule's record and its fired mark are written apart so that firing
// never rewrites the definition; both go when the schedule goes.

func rootKey(account, kind string) []byte {
	k := keys.AppendString(nil, "scheduler")
	k = keys.AppendString(k, kind)
	return keys.AppendString(k, account)
}

func groupKey(account, group string) []byte {
	return keys.AppendString(rootKey(account, "g"), group)
}

func groupsPrefix(account string) []byte { return rootKey(account, "g") }

func schedulesPrefix(account, group string) []byte {
	return keys.AppendString(rootKey(account, "s"), group)
}

func scheduleKey(account, group, name string) []byte {
	return keys.AppendString(schedulesPrefix(account, group), name)
}

func firedPrefix(account, group string) []byte {
	return keys.AppendString(rootKey(account, "f"), group)
}

func firedKey(account, group, name string) []byte {
	return keys.AppendString(firedPrefix(account, group), name)
}

// groupRecord is a schedule group as stored.
type groupRecord struct {
	Name     string
	Created  time.Time
	Modified time.Time
	Tags     map[string]string `json:",omitempty"`
	// ClientToken is the token of the CreateScheduleGroup call that made
	// the group, so that a retry of that call succeeds.
	ClientToken string `json:",omitempty"`
}

// scheduleRecord is a schedule as stored: everything GetSchedule answers,
// defaults applied.
type scheduleRecord struct {
	Group, Name string
	Expression  string
	// Timezone is the ScheduleExpressionTimezone, "UTC" when none was given.
	Timezone  string
	StartDate *time.Time `json:",omitempty"`
	EndDate   *time.Time `json:",omitempty"`
	State     string
	// FlexibleMinutes is the FLEXIBLE window's MaximumWindowInMinutes; 0
	// is Mode OFF.
	FlexibleMinutes       int32 `json:",omitempty"`
	Target                targetRecord
	ActionAfterCompletion string
	Description           *string `json:",omitempty"`
	KmsKeyArn             string  `json:",omitempty"`
	ClientToken           string  `json:",omitempty"`
	Created               time.Time
	Modified              time.Time
}

// targetRecord is a schedule's target as stored, retry policy defaults
// applied.
type targetRecord struct {
	Arn                string
	RoleArn            string
	Input              *string `json:",omitempty"`
	MaxEventAgeSeconds int32
	MaxRetryAttempts   int32
	DeadLetterArn      string `json:",omitempty"`
	MessageGroupID     string `json:",omitempty"`
	DetailType         string `json:",omitempty"`
	Source             string `json:",omitempty"`
	PartitionKey       string `json:",omitempty"`
	// Ecs is an ECS cluster target's RunTask parameters.
	Ecs *EcsParameters `json:",omitempty"`
}

// putGroup adds a group's record to b.
func putGroup(b store.Batch, account string, g *groupRecord) error {
	v, err := json.Marshal(g)
	if err != nil {
		return err
	}
	b.Set(groupKey(account, g.Name), v)
	return nil
}

// putSchedule adds a schedule's record to b.
func putSchedule(b store.Batch, account string, r *scheduleRecord) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	b.Set(scheduleKey(account, r.Group, r.Name), v)
	return nil
}

// deleteSchedule adds the removal of a schedule and its fired mark to b.
func deleteSchedule(b store.Batch, account, group, name string) {
	b.Delete(scheduleKey(account, group, name))
	b.Delete(firedKey(account, group, name))
}

// putFired adds a schedule's fired mark to b.
func putFired(b store.Batch, account, group, name string, occurrence time.Time) {
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], uint64(occurrence.UnixNano()))
	b.Set(firedKey(account, group, name), v[:])
}

// loadFired reads a schedule's fired mark; the zero time if it never fired.
func loadFired(r store.Reader, account, group, name string) (time.Time, error) {
	v, err := r.Get(firedKey(account, group, name))
	if errors.Is(err, store.ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	if len(v) != 8 {
		return time.Time{}, fmt.Errorf("scheduler: fired mark of %s/%s is %d bytes", group, name, len(v))
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC(), nil
}

// scan calls f with the value of every key under prefix.
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
