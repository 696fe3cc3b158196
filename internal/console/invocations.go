package console

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// recentInvocations is how many of a function's invocations its view
// lists, newest first, from the last invocationWindow.
const (
	recentInvocations = 20
	invocationWindow  = 24 * time.Hour
)

// invocation is one invocation of a function, read from the report
// Lambda writes to the function's log stream when an invocation ends:
// the REPORT line in the Text log format, a platform.report record in
// the JSON one.
type invocation struct {
	RequestID        string  `json:"requestId"`
	Timestamp        int64   `json:"timestamp"`
	LogStream        string  `json:"logStream"`
	DurationMs       float64 `json:"durationMs"`
	BilledDurationMs float64 `json:"billedDurationMs"`
	MemorySizeMB     float64 `json:"memorySizeMB"`
	MaxMemoryUsedMB  float64 `json:"maxMemoryUsedMB"`
	InitDurationMs   float64 `json:"initDurationMs,omitempty"`
	Status           string  `json:"status,omitempty"`
}

// reportPatterns find the reports of each log format with
// FilterLogEvents.
var reportPatterns = map[string]string{
	"Text": `"REPORT RequestId"`,
	"JSON": `{ $.type = "platform.report" }`,
}

// invocations reads the function's latest reports from its log group.
func invocations(ctx context.Context, logs Service, group, format string, now time.Time) []invocation {
	pattern, ok := reportPatterns[format]
	if !ok {
		pattern = reportPatterns["Text"]
	}
	events, err := all(ctx, logs, pager{"FilterLogEvents", "events", "nextToken", "nextToken"}, map[string]any{
		"logGroupName": group, "filterPattern": pattern, "startTime": now.Add(-invocationWindow).UnixMilli()})
	if err != nil {
		return []invocation{}
	}
	out := []invocation{}
	for i := len(events) - 1; i >= 0 && len(out) < recentInvocations; i-- {
		e, _ := events[i].(map[string]any)
		msg, _ := e["message"].(string)
		inv, ok := parseReport(msg)
		if !ok {
			continue
		}
		inv.LogStream, _ = e["logStreamName"].(string)
		inv.Timestamp = integer(e["timestamp"])
		out = append(out, inv)
	}
	return out
}

// parseReport reads an invocation's report line, in either format.
func parseReport(msg string) (invocation, bool) {
	msg = strings.TrimSpace(msg)
	if strings.HasPrefix(msg, "{") {
		var ev struct {
			Type   string `json:"type"`
			Record struct {
				RequestID string `json:"requestId"`
				Status    string `json:"status"`
				Metrics   struct {
					DurationMs       float64 `json:"durationMs"`
					BilledDurationMs float64 `json:"billedDurationMs"`
					MemorySizeMB     float64 `json:"memorySizeMB"`
					MaxMemoryUsedMB  float64 `json:"maxMemoryUsedMB"`
					InitDurationMs   float64 `json:"initDurationMs"`
				} `json:"metrics"`
			} `json:"record"`
		}
		if json.Unmarshal([]byte(msg), &ev) != nil || ev.Type != "platform.report" || ev.Record.RequestID == "" {
			return invocation{}, false
		}
		m := ev.Record.Metrics
		return invocation{RequestID: ev.Record.RequestID, Status: ev.Record.Status, DurationMs: m.DurationMs,
			BilledDurationMs: m.BilledDurationMs, MemorySizeMB: m.MemorySizeMB, MaxMemoryUsedMB: m.MaxMemoryUsedMB,
			InitDurationMs: m.InitDurationMs}, true
	}
	// REPORT RequestId: ID\tDuration: 2.04 ms\tBilled Duration: 3 ms\t
	// Memory Size: 128 MB\tMax Memory Used: 10 MB\t[Init Duration: 233.06 ms\t]
	rest, ok := strings.CutPrefix(msg, "REPORT ")
	if !ok {
		return invocation{}, false
	}
	var inv invocation
	for _, field := range strings.Split(rest, "\t") {
		key, value, ok := strings.Cut(strings.TrimSpace(field), ": ")
		if !ok {
			continue
		}
		number := func() float64 {
			amount, _, _ := strings.Cut(value, " ") // "2.04 ms"
			n, _ := strconv.ParseFloat(amount, 64)
			return n
		}
		switch key {
		case "RequestId":
			inv.RequestID = value
		case "Duration":
			inv.DurationMs = number()
		case "Billed Duration":
			inv.BilledDurationMs = number()
		case "Memory Size":
			inv.MemorySizeMB = number()
		case "Max Memory Used":
			inv.MaxMemoryUsedMB = number()
		case "Init Duration":
			inv.InitDurationMs = number()
		case "Status":
			inv.Status = value
		}
	}
	return inv, inv.RequestID != ""
}
