package kinesis

import (
	"context"
	"slices"
)

// Enhanced monitoring: EnableEnhancedMonitoring and
// DisableEnhancedMonitoring keep the stream's shard-level metrics, which
// DescribeStream and DescribeStreamSummary show; virga publishes no
// shard-level metrics to CloudWatch.

// allMetrics is what "ALL" stands for: every shard-level metric.
const allMetrics MetricsName = "ALL"

func (s *Service) enableEnhancedMonitoring(ctx context.Context, in *EnableEnhancedMonitoringInput) (*EnhancedMonitoringOutput, error) {
	return s.changeMetrics(in.StreamName, in.StreamARN, in.ShardLevelMetrics, true)
}

func (s *Service) disableEnhancedMonitoring(ctx context.Context, in *DisableEnhancedMonitoringInput) (*EnhancedMonitoringOutput, error) {
	return s.changeMetrics(in.StreamName, in.StreamARN, in.ShardLevelMetrics, false)
}

// changeMetrics enables (on) or disables the metrics on the stream, and
// answers its metrics before and after.
func (s *Service) changeMetrics(streamName, streamARN *string, metrics []MetricsName, on bool) (*EnhancedMonitoringOutput, error) {
	name, err := s.streamName(streamName, streamARN)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.activeStream(name)
	if err != nil {
		return nil, err
	}
	current := st.metrics()
	named := func(m MetricsName) bool {
		return slices.Contains(metrics, m) || slices.Contains(metrics, allMetrics)
	}
	var desired []MetricsName
	for _, m := range shardLevelMetrics() {
		if (on && (named(m) || slices.Contains(current, m))) || (!on && !named(m) && slices.Contains(current, m)) {
			desired = append(desired, m)
		}
	}
	st.Metrics = desired
	if err := s.save(st); err != nil {
		return nil, err
	}
	return &EnhancedMonitoringOutput{StreamName: &st.Name, StreamARN: ptr(s.arn(st.Name)),
		CurrentShardLevelMetrics: current, DesiredShardLevelMetrics: st.metrics()}, nil
}

// shardLevelMetrics are the shard-level metrics, without "ALL".
func shardLevelMetrics() []MetricsName {
	var out []MetricsName
	for _, v := range MetricsName("").Values() {
		if m := MetricsName(v); m != allMetrics {
			out = append(out, m)
		}
	}
	return out
}

// metrics are the stream's enabled shard-level metrics, never nil.
func (st *stream) metrics() []MetricsName {
	if st.Metrics == nil {
		return []MetricsName{}
	}
	return slices.Clone(st.Metrics)
}

// enhancedMonitoring is the stream's EnhancedMonitoring, as
// DescribeStream and DescribeStreamSummary show it.
func (st *stream) enhancedMonitoring() []EnhancedMetrics {
	return []EnhancedMetrics{{ShardLevelMetrics: st.metrics()}}
}
