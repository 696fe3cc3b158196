package dynamodb

import (
	"encoding/json"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/background"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// TargetPrefix is DynamoDB's X-Amz-Target prefix.
const TargetPrefix = "DynamoDB_20120810"

// Service is DynamoDB.
type Service struct {
	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	account string
	region  string

	mu     sync.RWMutex
	tables map[string]*table // by name; values are replaced, never changed in place
	// streams orders each table's stream records, by table id.
	streams map[uint64]*streamState
	// dropped are deleted tables whose streams stay readable for 24
	// hours, by table id.
	dropped map[uint64]*table

	// histSeq orders point-in-time history entries committed in the same
	// nanosecond.
	histSeq atomic.Uint64
	// restoring are the names of tables a restore is creating.
	restoring map[string]bool

	itemLocks [256]sync.Mutex
	lockSeed  maphash.Seed

	// kinesis receives the changes of tables with Kinesis streaming
	// destinations; kdsSeq numbers the outbox's records and kdsWake
	// tells its deliverer of new ones (kinesis_dest.go).
	kinesis KinesisStreams
	kdsSeq  atomic.Uint64
	kdsWake chan struct{}

	// buckets is the S3 exports write to and imports read from; jobs
	// are the exports and imports running (Run waits for them).
	buckets Buckets
	jobs    background.Group
	// importLogs receives imports' invalid items (op_imports.go).
	importLogs ImportLogs
}

// Deps are what DynamoDB needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// Kinesis receives the changes of tables with Kinesis streaming
	// destinations; without it EnableKinesisStreamingDestination is
	// refused.
	Kinesis KinesisStreams
	// Buckets is the S3 that ExportTableToPointInTime writes to and
	// ImportTable reads from; without it both are refused.
	Buckets Buckets
	// ImportLogs is the CloudWatch Logs that ImportTable writes its
	// invalid items to; without it they are only counted.
	ImportLogs ImportLogs
}

// New returns DynamoDB over the store, with the tables it already holds.
func New(d Deps) (*Service, error) {
	s := &Service{
		store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region,
		tables:     map[string]*table{},
		streams:    map[uint64]*streamState{},
		dropped:    map[uint64]*table{},
		restoring:  map[string]bool{},
		lockSeed:   maphash.MakeSeed(),
		kinesis:    d.Kinesis,
		kdsWake:    make(chan struct{}, 1),
		buckets:    d.Buckets,
		importLogs: d.ImportLogs,
	}
	prefix := tablesPrefix()
	it, err := s.store.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		var t table
		if err := json.Unmarshal(it.Value(), &t); err != nil {
			return nil, fmt.Errorf("dynamodb: stored table: %w", err)
		}
		s.tables[t.Name] = &t
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	dp := droppedPrefix()
	dit, err := s.store.NewIter(dp, keys.PrefixEnd(dp))
	if err != nil {
		return nil, err
	}
	defer dit.Close()
	for dit.First(); dit.Valid(); dit.Next() {
		var t table
		if err := json.Unmarshal(dit.Value(), &t); err != nil {
			return nil, fmt.Errorf("dynamodb: stored deleted table: %w", err)
		}
		s.dropped[t.ID] = &t
	}
	if err := dit.Error(); err != nil {
		return nil, err
	}
	if err := s.dropPending(); err != nil {
		return nil, err
	}
	if err := s.failInterruptedJobs(); err != nil {
		return nil, err
	}
	if err := s.loadKDSSeq(); err != nil {
		return nil, err
	}
	for _, t := range s.tables {
		st, err := s.loadStreamState(t)
		if err != nil {
			return nil, err
		}
		s.streams[t.ID] = st
	}
	return s, nil
}

// API returns DynamoDB as the edge serves it.
func (s *Service) API() *awsproto.Service {
	p := awsjson.New("1.0", TargetPrefix)
	p.ErrorNamespace = "com.amazonaws.dynamodb.v20120810#"
	// DynamoDB compresses a response over 4 KB for a client that accepts
	// gzip or deflate, and sends every response's CRC-32 and a Server
	// header.
	p.CompressOver, p.CRC32, p.Server = 4096, true, "Server"
	return (&awsproto.Service{
		Name:             "dynamodb",
		Protocol:         p,
		ValidationError:  ErrValidation,
		MissingParameter: "The parameter '%s' is required but was not present in the request",
		// A body in an encoding DynamoDB cannot read (not gzip, or broken
		// gzip) is a server error for it.
		BadContentEncoding: ErrInternal,
		Operations:         s.operations(),
		Resources:          s.resources,
		Permissions:        s.permissions,
		// DynamoDB's request size limit is 16 MB (BatchWriteItem's).
		MaxBodyBytes: 16 << 20,
	}).Init()
}

// lockItems locks the items with the given encoded keys, in a fixed
// order, and returns the function that unlocks them.
func (s *Service) lockItems(itemKeys ...[]byte) func() {
	var idx []int
	seen := [len(Service{}.itemLocks)]bool{}
	for _, k := range itemKeys {
		i := int(maphash.Bytes(s.lockSeed, k) % uint64(len(s.itemLocks)))
		if !seen[i] {
			seen[i] = true
			idx = append(idx, i)
		}
	}
	// Ascending order, so that two callers never wait for each other.
	for i := range seen {
		if seen[i] {
			s.itemLocks[i].Lock()
		}
	}
	return func() {
		for _, i := range idx {
			s.itemLocks[i].Unlock()
		}
	}
}
