package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/virga/virga/internal/store/pebble"
)

// Store collects the Pebble store's metrics from stats (pebble.DB.Stats)
// when scraped.
func Store(stats func() pebble.Stats) prometheus.Collector {
	return &storeCollector{stats: stats}
}

var (
	storeDisk = prometheus.NewDesc("virga_store_disk_bytes",
		"Disk space the store takes: tables, write-ahead log, manifest.", nil, nil)
	storeWALBytes = prometheus.NewDesc("virga_store_wal_bytes_written_total",
		"Bytes written to the store's write-ahead log.", nil, nil)
	storeWALSyncs = prometheus.NewDesc("virga_store_wal_syncs_total",
		"Fsyncs of the store's write-ahead log.", nil, nil)
	storeFlushes = prometheus.NewDesc("virga_store_flushes_total",
		"Memtable flushes to tables.", nil, nil)
	storeCompactions = prometheus.NewDesc("virga_store_compactions_total",
		"Compactions of the store's tables.", nil, nil)
	storeDebt = prometheus.NewDesc("virga_store_compaction_debt_bytes",
		"Estimated bytes left to compact for the store to be stable.", nil, nil)
	storeMemtable = prometheus.NewDesc("virga_store_memtable_bytes",
		"Memory held by the store's memtables.", nil, nil)
	storeReadAmp = prometheus.NewDesc("virga_store_read_amplification",
		"Sorted runs a read of the store may visit.", nil, nil)
)

type storeCollector struct {
	stats func() pebble.Stats
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{storeDisk, storeWALBytes, storeWALSyncs, storeFlushes, storeCompactions, storeDebt, storeMemtable, storeReadAmp} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	ch <- prometheus.MustNewConstMetric(storeDisk, prometheus.GaugeValue, float64(s.DiskBytes))
	ch <- prometheus.MustNewConstMetric(storeWALBytes, prometheus.CounterValue, float64(s.WALBytesWritten))
	ch <- prometheus.MustNewConstMetric(storeWALSyncs, prometheus.CounterValue, float64(s.WALSyncs))
	ch <- prometheus.MustNewConstMetric(storeFlushes, prometheus.CounterValue, float64(s.Flushes))
	ch <- prometheus.MustNewConstMetric(storeCompactions, prometheus.CounterValue, float64(s.Compactions))
	ch <- prometheus.MustNewConstMetric(storeDebt, prometheus.GaugeValue, float64(s.CompactionDebtBytes))
	ch <- prometheus.MustNewConstMetric(storeMemtable, prometheus.GaugeValue, float64(s.MemtableBytes))
	ch <- prometheus.MustNewConstMetric(storeReadAmp, prometheus.GaugeValue, float64(s.ReadAmplification))
}
