package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/virga/virga/internal/e2e"
)

// crashPut is what a writer learned of one PutRecord.
type crashPut struct {
	data, shard, seq string
	outcome          writeOutcome
}

// TestKinesisAcknowledgedPutsSurviveKill9 runs `virga up`, puts records
// on a two-shard stream from concurrent writers, kills the process with
// SIGKILL mid-load, restarts it on the same data directory and reads
// every shard from TRIM_HORIZON. Every acknowledged record must be there
// with the shard and sequence number it was given; each writer's
// records (one partition key each) must come in the order they were
// put; a record may be there without an acknowledgement, but only one
// some writer put; and sequence numbers handed out after the restart
// must be above every one before it.
func TestKinesisAcknowledgedPutsSurviveKill9(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	addr := freeAddr(t)
	p := start(t, nil, "up", "--listen", addr, "--data-dir", dir)
	waitHealthy(t, p, addr)
	c := kinesis.NewFromConfig(e2e.ClientConfig("http://"+addr, "us-east-1", "test", "test", ""))
	name := aws.String("crash")
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: name, ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}

	const writers = 6
	results := make([][]crashPut, writers)
	killMidLoad(t, p, writers, 300, 20*time.Second, "put", func(w, i int, killed func() bool) bool {
		cp := crashPut{data: fmt.Sprintf("w%d-%06d", w, i)}
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		out, err := c.PutRecord(rctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String(fmt.Sprint("writer", w)), Data: []byte(cp.data)})
		cancel()
		cp.outcome = outcomeOf(err)
		if cp.outcome == acked {
			cp.shard, cp.seq = *out.ShardId, *out.SequenceNumber
		} else if !killed() {
			t.Errorf("PutRecord %s before the kill: %v", cp.data, err)
		}
		results[w] = append(results[w], cp)
		return cp.outcome == acked
	})

	addr2 := freeAddr(t)
	p2 := start(t, nil, "up", "--listen", addr2, "--data-dir", dir)
	waitHealthy(t, p2, addr2)
	c2 := kinesis.NewFromConfig(e2e.ClientConfig("http://"+addr2, "us-east-1", "test", "test", ""))
	type stored struct{ shard, seq string }
	found := map[string]stored{}
	var order []string
	maxSeq := map[string]string{}
	for _, shard := range []string{"shardId-000000000000", "shardId-000000000001"} {
		it, err := c2.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		next := it.ShardIterator
		for {
			out, err := c2.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: next})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range out.Records {
				found[string(r.Data)] = stored{shard, *r.SequenceNumber}
				order = append(order, string(r.Data))
				maxSeq[shard] = *r.SequenceNumber
			}
			if len(out.Records) == 0 {
				break
			}
			next = out.NextShardIterator
		}
	}
	counts := map[writeOutcome]int{}
	put := map[string]bool{}
	for _, ws := range results {
		for _, cp := range ws {
			counts[cp.outcome]++
			put[cp.data] = true
			if cp.outcome == acked {
				if got, ok := found[cp.data]; !ok || got != (stored{cp.shard, cp.seq}) {
					t.Errorf("acknowledged %s at %s/%s is %+v (present %v) after kill -9", cp.data, cp.shard, cp.seq, got, ok)
				}
			}
		}
	}
	last := map[string]string{} // writer → last record read
	for _, d := range order {
		if !put[d] {
			t.Errorf("record %q that no writer put", d)
		}
		w := d[:strings.IndexByte(d, '-')]
		if d <= last[w] {
			t.Errorf("%s read after %s", d, last[w])
		}
		last[w] = d
	}
	for shard, seq := range maxSeq {
		hash := "0"
		if shard == "shardId-000000000001" {
			hash = "340282366920938463463374607431768211455"
		}
		out, err := c2.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("after"), ExplicitHashKey: aws.String(hash), Data: []byte("after")})
		if err != nil {
			t.Fatal(err)
		}
		if *out.ShardId != shard || *out.SequenceNumber <= seq {
			t.Errorf("after restart, %s gave %s/%s; the last before was %s", shard, *out.ShardId, *out.SequenceNumber, seq)
		}
	}
	t.Logf("%d acknowledged, %d unknown puts; %d records after restart", counts[acked], counts[unknown], len(found))
}
