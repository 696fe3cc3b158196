package cloudwatch

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"time"
)

// A Lambda function among an alarm's actions is invoked asynchronously
// with the event CloudWatch's guide "Invoke a Lambda function from an
// alarm" shows: the alarm's ARN, account, region and time, and under
// alarmData its name, new and previous state (value, reason, reason
// data, timestamp) and configuration (description and metrics, each a
// metricStat or an expression).

// alarmState is an alarm's state as the event describes it.
type alarmState struct {
	value, reason, data string
	updated             int64 // epoch ms
}

// eventTime is how the event writes times.
const eventTime = "2006-01-02T15:04:05.000+0000"

func (st alarmState) event() map[string]any {
	m := map[string]any{"value": st.value, "reason": st.reason, "timestamp": time.UnixMilli(st.updated).UTC().Format(eventTime)}
	if st.data != "" {
		m["reasonData"] = st.data
	}
	return m
}

// lambdaEvent is the event a's function actions get for its transition
// from prev to its current state.
func (s *Service) lambdaEvent(a *alarm, prev alarmState, now time.Time) []byte {
	cur := alarmState{a.State, a.StateReason, a.StateReasonData, a.StateUpdated}
	config := map[string]any{}
	if a.Rule != "" {
		config["alarmRule"] = a.Rule
	} else {
		config["metrics"] = s.eventMetrics(a)
	}
	if a.Description != nil {
		config["description"] = *a.Description
	}
	b, _ := json.Marshal(map[string]any{
		"source":    "aws.cloudwatch",
		"alarmArn":  s.alarmARN(a.Name),
		"accountId": s.account,
		"time":      now.UTC().Format(eventTime),
		"region":    s.region,
		"alarmData": map[string]any{
			"alarmName":     a.Name,
			"state":         cur.event(),
			"previousState": prev.event(),
			"configuration": config,
		},
	})
	return b
}

// eventMetrics describes an alarm's metrics as the event does: a
// single-metric alarm as one metricStat query (whose id CloudWatch
// makes up), a metric math alarm as its queries.
func (s *Service) eventMetrics(a *alarm) []map[string]any {
	stat := func(ns, name string, dims []dim, period int32, st, unit string) map[string]any {
		dm := map[string]string{}
		for _, d := range dims {
			dm[d.Name] = d.Value
		}
		m := map[string]any{"metric": map[string]any{"namespace": ns, "name": name, "dimensions": dm}, "period": period, "stat": st}
		if unit != "" {
			m["unit"] = unit
		}
		return m
	}
	if len(a.Metrics) == 0 {
		st := a.Statistic
		if st == "" {
			st = a.ExtendedStatistic
		}
		sum := sha1.Sum([]byte(s.alarmARN(a.Name)))
		id := fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
		return []map[string]any{{"id": id, "metricStat": stat(a.Namespace, a.MetricName, a.Dims, a.Period, st, a.Unit), "returnData": true}}
	}
	out := make([]map[string]any, 0, len(a.Metrics))
	for _, q := range a.Metrics {
		m := map[string]any{"id": str(q.Id), "returnData": q.ReturnData == nil || *q.ReturnData}
		if q.Label != nil {
			m["label"] = *q.Label
		}
		if q.Expression != nil {
			m["expression"] = *q.Expression
		}
		if ms := q.MetricStat; ms != nil && ms.Metric != nil {
			var dims []dim
			for _, d := range ms.Metric.Dimensions {
				dims = append(dims, dim{Name: str(d.Name), Value: str(d.Value)})
			}
			unit := ""
			if ms.Unit != nil {
				unit = string(*ms.Unit)
			}
			m["metricStat"] = stat(str(ms.Metric.Namespace), str(ms.Metric.MetricName), dims, deref32(ms.Period), str(ms.Stat), unit)
		}
		if q.Period != nil {
			m["period"] = *q.Period
		}
		out = append(out, m)
	}
	return out
}

func deref32(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}
