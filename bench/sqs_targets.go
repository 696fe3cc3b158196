package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
)

// sqsTarget is one running SQS target and how to call it.
type sqsTarget struct {
	calls   sqsCalls
	ceiling callFunc // the plain HTTP ceiling's call; nil for the others
}

func (t *sqsTarget) callFor(workload string, tl *tally) callFunc {
	if t.ceiling != nil {
		return t.ceiling
	}
	return t.calls.callFor(workload, tl)
}

// sqsTargets are the running SQS targets: the throughput targets by
// name, and the event source mapping rows' senders by name.
type sqsTargets struct {
	load map[string]*sqsTarget
	esm  map[string]esmSender
	// collector is what the event source mapping's function reports to;
	// nil without esm targets.
	collector *collector
}

// startSQSTargets starts the servers the cells need, each with its own
// client and transport (retries off), creates the queues and checks each
// target with one cycle of each workload; for the esm targets it also
// builds the function, creates it and its queue and mapping, and starts
// the collector the function reports to. stop ends whatever was started,
// also when err is not nil; notes say what the reader should know.
func startSQSTargets(ctx context.Context, need, esm map[string]bool) (t *sqsTargets, stop func(), notes []string, err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	t = &sqsTargets{load: map[string]*sqsTarget{}, esm: map[string]esmSender{}}
	newHTTPClient := func() *http.Client {
		tr := newTransport([]int{16})
		stops = append(stops, tr.CloseIdleConnections)
		return &http.Client{Transport: e2e.ReadOnlyBodies{Next: tr}}
	}

	var fn *esmFunction
	if len(esm) > 0 {
		dir, err := os.MkdirTemp("", "virga-bench-esm-")
		if err != nil {
			return nil, stop, notes, err
		}
		stops = append(stops, func() { os.RemoveAll(dir) })
		t0 := time.Now()
		_, zipped, err := buildFunction(ctx, dir, "github.com/virga/virga/bench/esmfn")
		if err != nil {
			return nil, stop, notes, err
		}
		fmt.Fprintf(os.Stderr, "  esm function built (%d KB zipped) in %.1fs\n", len(zipped)>>10, time.Since(t0).Seconds())
		coll, shutdown, err := startCollector()
		if err != nil {
			return nil, stop, notes, fmt.Errorf("starting the collector: %w", err)
		}
		stops = append(stops, shutdown)
		fn = &esmFunction{zipped: zipped, collector: coll}
		t.collector = coll
	}

	// virga in memory also provides the bytes the const server answers.
	var answers map[string]*recorded
	for _, v := range []struct {
		name        string
		disk, fsync bool
	}{{virgaMemName, false, false}, {virgaDiskName, true, false}, {virgaFsyncName, true, true}} {
		if !need[v.name] && !esm[v.name] && !(v.name == virgaMemName && need[constName]) {
			continue
		}
		dataDir := ""
		if v.disk {
			dir, err := os.MkdirTemp("", "virga-bench-")
			if err != nil {
				return nil, stop, notes, err
			}
			stops = append(stops, func() { os.RemoveAll(dir) })
			if inMemoryFS(dir) {
				notes = append(notes, fmt.Sprintf("%s's data directory %s is on a tmpfs: its syncs cost nothing; set TMPDIR to a disk.", v.name, dir))
			}
			dataDir = filepath.Join(dir, "data")
		}
		endpoint, shutdown, err := startVirga(config.AuthAccept, dataDir, v.fsync)
		if err != nil {
			return nil, stop, notes, fmt.Errorf("starting %s: %w", v.name, err)
		}
		stops = append(stops, shutdown)
		hc := newHTTPClient()
		c := newSQSClient(endpoint, hc)
		if need[v.name] || (v.name == virgaMemName && need[constName]) {
			q, err := createQueues(ctx, c)
			if err != nil {
				return nil, stop, notes, fmt.Errorf("%s: %w", v.name, err)
			}
			if err := q.check(ctx); err != nil {
				return nil, stop, notes, fmt.Errorf("%s: %w", v.name, err)
			}
			t.load[v.name] = &sqsTarget{calls: q}
		}
		if v.name == virgaMemName && need[constName] {
			if answers, err = recordSQSAnswers(ctx, endpoint, hc); err != nil {
				return nil, stop, notes, fmt.Errorf("%s: recording answers: %w", v.name, err)
			}
		}
		if esm[v.name] {
			t0 := time.Now()
			send, err := fn.setUp(ctx, endpoint, hc, c)
			if err != nil {
				return nil, stop, notes, fmt.Errorf("%s: event source mapping: %w", v.name, err)
			}
			fmt.Fprintf(os.Stderr, "  %s: function, queue and event source mapping created in %.1fs\n", v.name, time.Since(t0).Seconds())
			t.esm[v.name] = send
		}
	}
	if need[constName] {
		endpoint, shutdown, err := serve(sqsConstHandler(answers))
		if err != nil {
			return nil, stop, notes, fmt.Errorf("starting %s: %w", constName, err)
		}
		stops = append(stops, shutdown)
		// The const server ignores the queue URL; these look like virga's.
		q := sqsCalls{c: newSQSClient(endpoint, newHTTPClient()),
			singleURL: endpoint + "/000000000000/" + sqsSingleQueue, batchURL: endpoint + "/000000000000/" + sqsBatchQueue}
		if err := q.check(ctx); err != nil {
			return nil, stop, notes, fmt.Errorf("%s: %w", constName, err)
		}
		t.load[constName] = &sqsTarget{calls: q}
	}
	if need[ceilingName] {
		endpoint, shutdown, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("ok"))
		}))
		if err != nil {
			return nil, stop, notes, fmt.Errorf("starting %s: %w", ceilingName, err)
		}
		stops = append(stops, shutdown)
		call := ceilingCall(newHTTPClient(), endpoint+"/")
		if err := call(ctx, nil); err != nil {
			return nil, stop, notes, fmt.Errorf("%s: %w", ceilingName, err)
		}
		t.load[ceilingName] = &sqsTarget{ceiling: call}
	}
	return t, stop, notes, nil
}

// The const server's keys: X-Amz-Target, and for ReceiveMessage the
// number of messages asked for, 1 (the single cycle) or 10 (the batch).
const (
	sqsTargetPrefix = "AmazonSQS."
	receiveOne      = sqsTargetPrefix + "ReceiveMessage/1"
	receiveTen      = sqsTargetPrefix + "ReceiveMessage/10"
)

// askedForTen is how the SDK's JSON asks ReceiveMessage for ten messages.
var askedForTen = []byte(`"MaxNumberOfMessages":10`)

// sqsConstHandler answers each SQS call with the bytes virga answered it
// with once: what is left is the SDK client's own cost and net/http's.
func sqsConstHandler(answers map[string]*recorded) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		key := r.Header.Get("X-Amz-Target")
		if key == sqsTargetPrefix+"ReceiveMessage" {
			key = receiveOne
			if bytes.Contains(body, askedForTen) {
				key = receiveTen
			}
		}
		ans := answers[key]
		if ans == nil {
			http.Error(w, "not a call the const server knows", http.StatusBadRequest)
			return
		}
		h := w.Header()
		for k, v := range ans.header {
			h[k] = v
		}
		w.WriteHeader(ans.status)
		w.Write(ans.body)
	})
}

// recordSQSAnswers keeps virga's whole answers to one call of each kind
// the workloads make, on a queue of their own, by the const server's keys.
func recordSQSAnswers(ctx context.Context, endpoint string, hc *http.Client) (map[string]*recorded, error) {
	rec := &recorder{next: hc}
	c := newSQSClient(endpoint, rec)
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bench-record")})
	if err != nil {
		return nil, err
	}
	url := out.QueueUrl
	answers := map[string]*recorded{}
	keep := func(key string, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		answers[key] = rec.last
		return nil
	}

	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: &sqsBody})
	if err := keep(sqsTargetPrefix+"SendMessage", err); err != nil {
		return nil, err
	}
	one, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 1})
	if err == nil && len(one.Messages) != 1 {
		err = fmt.Errorf("answered %d messages, want 1", len(one.Messages))
	}
	if err := keep(receiveOne, err); err != nil {
		return nil, err
	}
	_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: one.Messages[0].ReceiptHandle})
	if err := keep(sqsTargetPrefix+"DeleteMessage", err); err != nil {
		return nil, err
	}

	entries := make([]types.SendMessageBatchRequestEntry, sqsBatchMax)
	for i := range entries {
		entries[i] = types.SendMessageBatchRequestEntry{Id: &batchIDs[i], MessageBody: &sqsBody}
	}
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: entries})
	if err := keep(sqsTargetPrefix+"SendMessageBatch", err); err != nil {
		return nil, err
	}
	ten, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: sqsBatchMax})
	if err == nil && len(ten.Messages) != sqsBatchMax {
		err = fmt.Errorf("answered %d messages of the %d in the queue, want all in one answer", len(ten.Messages), sqsBatchMax)
	}
	if err := keep(receiveTen, err); err != nil {
		return nil, err
	}
	del := make([]types.DeleteMessageBatchRequestEntry, sqsBatchMax)
	for i, m := range ten.Messages {
		del[i] = types.DeleteMessageBatchRequestEntry{Id: &batchIDs[i], ReceiptHandle: m.ReceiptHandle}
	}
	_, err = c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: del})
	if err := keep(sqsTargetPrefix+"DeleteMessageBatch", err); err != nil {
		return nil, err
	}
	return answers, nil
}
