package pebble

import (
	dto "github.com/prometheus/client_model/go"
)

// Stats are the figures of the store that an operator watches: how much
// disk it takes, how much the write-ahead log has written and synced,
// and how far compactions keep up.
type Stats struct {
	// DiskBytes is the space the store takes: tables, WAL, manifest.
	DiskBytes uint64
	// WALBytesWritten counts the bytes written to the write-ahead log.
	WALBytesWritten uint64
	// WALSyncs counts the fsyncs of the write-ahead log: one per synced
	// commit group with --fsync, else the background syncs (see walFS).
	WALSyncs uint64
	// Flushes and Compactions count memtable flushes and compactions
	// since the store opened; CompactionDebtBytes estimates what remains
	// to compact for the LSM to be stable.
	Flushes             int64
	Compactions         int64
	CompactionDebtBytes uint64
	// MemtableBytes is the memory held by memtables.
	MemtableBytes uint64
	// ReadAmplification is the number of sorted runs a read may visit.
	ReadAmplification int
}

// Stats reports the store's figures now. It asks Pebble for its metrics,
// which takes Pebble's own locks briefly: call it when metrics are
// scraped, not per request.
// After Close it reports zeros.
func (d *DB) Stats() Stats {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return Stats{}
	}
	m := d.db.Metrics()
	s := Stats{
		DiskBytes:           m.DiskSpaceUsage(),
		WALBytesWritten:     m.WAL.BytesWritten,
		Flushes:             m.Flush.Count,
		Compactions:         m.Compact.Count,
		CompactionDebtBytes: m.Compact.EstimatedDebt,
		MemtableBytes:       m.MemTable.Size,
		ReadAmplification:   m.ReadAmp(),
	}
	switch {
	case d.wal != nil:
		s.WALSyncs = d.wal.syncs.Load()
	case m.LogWriter.FsyncLatency != nil:
		// Pebble's fsync latency histogram counts each sync it made.
		var h dto.Metric
		if m.LogWriter.FsyncLatency.Write(&h) == nil && h.Histogram != nil {
			s.WALSyncs = h.Histogram.GetSampleCount()
		}
	}
	return s
}
