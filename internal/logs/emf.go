package logs

import (
	"bytes"
	"encoding/json"
	"time"
)

// The embedded metric format, as CloudWatch's "Specification: Embedded
// metric format" describes it: a log event whose whole message is a
// JSON object with an _aws member holding a Timestamp (epoch
// milliseconds) and CloudWatchMetrics, a list of directives, each a
// Namespace, Dimensions (sets of names of root members whose string
// values are the dimensions' values; an empty set publishes without
// dimensions) and Metrics (a Name naming a root member whose value is
// a number or a list of numbers, and an optional Unit). CloudWatch Logs
// extracts these from Lambda functions' logs (what Powertools' and the
// embedded metric libraries' metrics print); Sink writers made by
// FunctionSink publish them through Metrics, like metric filters', and
// so do PutLogEvents calls with the header x-amzn-logs-format: json/emf.
// Documents that do not follow the specification publish nothing, as
// CloudWatch Logs drops them (counting them in AWS/Logs, which virga
// does not).

// emfFormatHeader and emfFormat ask PutLogEvents to extract the
// embedded metric format from the events it stores, as the CloudWatch
// agent does: "x-amzn-logs-format: json/emf".
const (
	emfFormatHeader = "x-amzn-logs-format"
	emfFormat       = "json/emf"
)

// Limits of the embedded metric format.
const (
	// "A DimensionSet can contain up to 30 dimension keys" and "The
	// MetricDirective object ... can contain up to 100 MetricDefinition
	// objects"; "a metric value ... array of up to 100 numbers".
	maxEMFDimensions = 30
	maxEMFMetrics    = 100
	maxEMFValues     = 100
)

// emfDocument is the part of an embedded metric format document that
// says what to extract.
type emfDocument struct {
	AWS *struct {
		Timestamp         *float64 `json:"Timestamp"`
		CloudWatchMetrics []struct {
			Namespace  string     `json:"Namespace"`
			Dimensions [][]string `json:"Dimensions"`
			Metrics    []struct {
				Name string `json:"Name"`
				Unit string `json:"Unit"`
			} `json:"Metrics"`
		} `json:"CloudWatchMetrics"`
	} `json:"_aws"`
}

// embeddedMetrics is what the events in the embedded metric format
// publish.
func embeddedMetrics(events []Event) []MetricPoint {
	var out []MetricPoint
	for _, e := range events {
		out = append(out, embeddedMetricsOf(e.Message)...)
	}
	return out
}

// embeddedMetricsOf is what one message publishes: nothing unless it
// is a valid document.
func embeddedMetricsOf(message string) []MetricPoint {
	msg := bytes.TrimSpace([]byte(message))
	if len(msg) == 0 || msg[0] != '{' || !bytes.Contains(msg, []byte(`"_aws"`)) {
		return nil
	}
	var doc emfDocument
	var root map[string]json.RawMessage
	if json.Unmarshal(msg, &doc) != nil || json.Unmarshal(msg, &root) != nil {
		return nil
	}
	if doc.AWS == nil || doc.AWS.Timestamp == nil || doc.AWS.CloudWatchMetrics == nil {
		return nil
	}
	ts := time.UnixMilli(int64(*doc.AWS.Timestamp)).UTC()
	var out []MetricPoint
	for _, d := range doc.AWS.CloudWatchMetrics {
		if d.Namespace == "" || d.Dimensions == nil || len(d.Metrics) > maxEMFMetrics {
			return nil
		}
		sets := make([][][2]string, 0, len(d.Dimensions))
		for _, names := range d.Dimensions {
			if len(names) > maxEMFDimensions {
				return nil
			}
			set := make([][2]string, 0, len(names))
			for _, name := range names {
				var v string
				if json.Unmarshal(root[name], &v) != nil || v == "" {
					return nil
				}
				set = append(set, [2]string{name, v})
			}
			sets = append(sets, set)
		}
		if len(sets) == 0 {
			sets = append(sets, nil)
		}
		for _, m := range d.Metrics {
			values, ok := emfValues(root[m.Name])
			if m.Name == "" || !ok {
				return nil
			}
			unit := m.Unit
			if unit == "" {
				unit = "None"
			}
			for _, set := range sets {
				for _, v := range values {
					out = append(out, MetricPoint{Namespace: d.Namespace, Name: m.Name, Dimensions: set, Unit: unit, Value: v, Timestamp: ts})
				}
			}
		}
	}
	return out
}

// emfValues reads a metric's value: a number or a list of numbers.
func emfValues(raw json.RawMessage) ([]float64, bool) {
	var one float64
	if json.Unmarshal(raw, &one) == nil {
		return []float64{one}, true
	}
	var many []float64
	if json.Unmarshal(raw, &many) != nil || len(many) == 0 || len(many) > maxEMFValues {
		return nil, false
	}
	return many, true
}
