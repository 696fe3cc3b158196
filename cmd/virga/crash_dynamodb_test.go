package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/e2e"
)

func dynamoAt(addr string) *dynamodb.Client {
	return dynamodb.NewFromConfig(e2e.ClientConfig("http://"+addr, "us-east-1", "test", "test", ""))
}

// writeOutcome is what a writer learned of one PutItem.
type writeOutcome int

const (
	acked   writeOutcome = iota // 2xx: must survive
	refused                     // a 4xx answer: must not have happened
	unknown                     // no answer (connection error) or a 5xx: either
)

type crashWrite struct {
	key, value string
	outcome    writeOutcome
}

// TestDynamoDBAcknowledgedWritesSurviveKill9 runs `virga up`, puts items
// from 8 concurrent writers, kills the process with SIGKILL mid-load,
// restarts it on the same data directory, and checks that every
// acknowledged write is there with its value, that no refused write (a
// conditional put that failed) happened, and that nothing else appeared.
func TestDynamoDBAcknowledgedWritesSurviveKill9(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	addr := freeAddr(t)
	p := start(t, nil, "up", "--listen", addr, "--data-dir", dir)
	waitHealthy(t, p, addr)
	c := dynamoAt(addr)
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("crash"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
	w := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = time.Millisecond
		o.MaxDelay = 10 * time.Millisecond
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("crash")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}

	const writers = 8
	results := make([][]crashWrite, writers)
	lastAcked := make([]*crashWrite, writers) // each writer's last acknowledged put
	// Kill mid-load: once enough writes are acknowledged, or after a
	// bound if the load is slow.
	killMidLoad(t, p, writers, 400, 20*time.Second, "write", func(wr, i int, killed func() bool) bool {
		cw := crashWrite{key: fmt.Sprintf("w%d-%06d", wr, i), value: fmt.Sprintf("value %d/%d", wr, i)}
		in := &dynamodb.PutItemInput{TableName: aws.String("crash"), Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: cw.key}, "v": &types.AttributeValueMemberS{Value: cw.value}}}
		conditional := i%10 == 9 && lastAcked[wr] != nil
		if conditional {
			// Overwriting an acknowledged item on the condition that it
			// does not exist must fail, and leave it as it was.
			cw = crashWrite{key: lastAcked[wr].key, value: "overwritten " + cw.value}
			in.Item = map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: cw.key}, "v": &types.AttributeValueMemberS{Value: cw.value}}
			in.ConditionExpression = aws.String("attribute_not_exists(pk)")
		}
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := c.PutItem(rctx, in)
		cancel()
		cw.outcome = outcomeOf(err)
		if cw.outcome == acked && conditional {
			t.Errorf("conditional overwrite of %s succeeded", cw.key)
		}
		if !killed() && cw.outcome != acked && !(conditional && cw.outcome == refused) {
			t.Errorf("PutItem %s before the kill: %v", cw.key, err)
		}
		results[wr] = append(results[wr], cw)
		if cw.outcome == acked && !conditional {
			last := cw
			lastAcked[wr] = &last
			return true
		}
		return false
	})

	addr2 := freeAddr(t)
	p2 := start(t, nil, "up", "--listen", addr2, "--data-dir", dir)
	waitHealthy(t, p2, addr2)
	stored := map[string]string{}
	pg := dynamodb.NewScanPaginator(dynamoAt(addr2), &dynamodb.ScanInput{TableName: aws.String("crash"), ConsistentRead: aws.Bool(true)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatalf("Scan after restart: %v", err)
		}
		for _, it := range out.Items {
			stored[it["pk"].(*types.AttributeValueMemberS).Value] = it["v"].(*types.AttributeValueMemberS).Value
		}
	}

	// Each key has one plain put; the conditional overwrites of it must
	// all have failed, so a stored item holds its plain put's value.
	counts := map[writeOutcome]int{}
	plain := map[string]crashWrite{}
	for _, ws := range results {
		for _, cw := range ws {
			counts[cw.outcome]++
			if !strings.HasPrefix(cw.value, "overwritten ") {
				plain[cw.key] = cw
			}
		}
	}
	for _, cw := range plain {
		v, ok := stored[cw.key]
		switch {
		case cw.outcome == acked && (!ok || v != cw.value):
			t.Errorf("acknowledged %s = %q is %q (present %v) after kill -9", cw.key, cw.value, v, ok)
		case cw.outcome == refused && ok:
			t.Errorf("refused write %s = %q happened", cw.key, cw.value)
		}
	}
	for k, v := range stored {
		if cw, ok := plain[k]; !ok || v != cw.value {
			t.Errorf("after restart %s = %q; the only write that could have put it there is %+v", k, v, cw)
		}
	}
	t.Logf("%d acknowledged, %d refused, %d unknown writes; %d items after restart", counts[acked], counts[refused], counts[unknown], len(stored))
}

// outcomeOf classifies a PutItem's error.
func outcomeOf(err error) writeOutcome {
	if err == nil {
		return acked
	}
	var re *awshttp.ResponseError
	var ae smithy.APIError
	if errors.As(err, &re) && errors.As(err, &ae) && re.HTTPStatusCode() >= 400 && re.HTTPStatusCode() < 500 {
		return refused
	}
	return unknown
}
