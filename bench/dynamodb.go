package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The DynamoDB data set every target serves: ddbItems items of a
// ddbItemSize-byte string attribute "data", ddbPerPK to a partition.
const (
	ddbTable    = "bench"
	ddbItems    = 5000
	ddbPerPK    = 25
	ddbItemSize = 1024
	// batchWriteMax is BatchWriteItem's limit: "up to 25 item put or
	// delete operations".
	batchWriteMax = 25
)

// The DynamoDB workloads, in the order they run and print.
const (
	workPut   = "put"
	workGet   = "get"
	workQuery = "query"
	workMixed = "mixed"
)

var ddbWorkloads = []string{workPut, workGet, workQuery, workMixed}

// payload is the data attribute of every item: fixed, so every target
// stores and returns the same bytes.
var payload = strings.Repeat("0123456789abcdef", ddbItemSize/16)

func pkOf(p int) string { return fmt.Sprintf("pk%08d", p) }

func key(i int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: pkOf(i / ddbPerPK)},
		"sk": &types.AttributeValueMemberS{Value: fmt.Sprintf("sk%08d", i%ddbPerPK)},
	}
}

func item(i int) map[string]types.AttributeValue {
	it := key(i)
	it["data"] = &types.AttributeValueMemberS{Value: payload}
	return it
}

// newDDBClient is a DynamoDB client of the server at endpoint, with
// credentials test:test and no retries, so that errors show.
func newDDBClient(endpoint string, hc aws.HTTPClient) *dynamodb.Client {
	return dynamodb.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       hc,
	})
}

// ddbCalls are the workloads' calls through one client. Every call checks
// its answer, so that no row is fast because it answers something else.
type ddbCalls struct{ c *dynamodb.Client }

func (d ddbCalls) put(ctx context.Context, rng *rand.Rand) error {
	_, err := d.c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(ddbTable), Item: item(rng.IntN(ddbItems))})
	return err
}

func (d ddbCalls) get(ctx context.Context, rng *rand.Rand) error {
	out, err := d.c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(ddbTable), Key: key(rng.IntN(ddbItems))})
	if err != nil {
		return err
	}
	if v, ok := out.Item["data"].(*types.AttributeValueMemberS); !ok || len(v.Value) != ddbItemSize {
		return fmt.Errorf("GetItem answered an item without its %d-byte data attribute: %v", ddbItemSize, out.Item)
	}
	return nil
}

func (d ddbCalls) query(ctx context.Context, rng *rand.Rand) error {
	out, err := d.c.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(ddbTable),
		KeyConditionExpression:    aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: pkOf(rng.IntN(ddbItems / ddbPerPK))}},
		Limit:                     aws.Int32(ddbPerPK),
	})
	if err != nil {
		return err
	}
	if out.Count != ddbPerPK || len(out.Items) != ddbPerPK {
		return fmt.Errorf("Query answered %d items (Count %d), want a page of %d", len(out.Items), out.Count, ddbPerPK)
	}
	return nil
}

// mixed is 60% GetItem, 30% PutItem, 10% Query.
func (d ddbCalls) mixed(ctx context.Context, rng *rand.Rand) error {
	switch n := rng.IntN(10); {
	case n < 6:
		return d.get(ctx, rng)
	case n < 9:
		return d.put(ctx, rng)
	default:
		return d.query(ctx, rng)
	}
}

func (d ddbCalls) callFor(workload string) callFunc {
	switch workload {
	case workPut:
		return d.put
	case workGet:
		return d.get
	case workQuery:
		return d.query
	case workMixed:
		return d.mixed
	}
	panic("unknown workload " + workload)
}

// setUpTable creates the table (pk S HASH, sk S RANGE, on demand), waits
// until it is ACTIVE, writes every item with BatchWriteItem and checks
// one call of each kind.
func setUpTable(ctx context.Context, c *dynamodb.Client) error {
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(ddbTable),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		BillingMode: types.BillingModePayPerRequest,
	})
	if err != nil {
		return fmt.Errorf("CreateTable: %w", err)
	}
	if err := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 50 * time.Millisecond
		o.MaxDelay = 200 * time.Millisecond
	}).Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(ddbTable)}, time.Minute); err != nil {
		return err
	}
	if err := preload(ctx, c); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	d := ddbCalls{c}
	for _, call := range []callFunc{d.get, d.query, d.put} {
		if err := call(ctx, rng); err != nil {
			return err
		}
	}
	return nil
}

// preload writes every item, batchWriteMax to a BatchWriteItem call, from
// a few goroutines, and resubmits unprocessed items.
func preload(ctx context.Context, c *dynamodb.Client) error {
	const workers = 8
	firsts := make(chan int)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for first := range firsts {
				if errs[w] != nil {
					continue // drain
				}
				var reqs []types.WriteRequest
				for i := first; i < min(first+batchWriteMax, ddbItems); i++ {
					reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item(i)}})
				}
				pending := map[string][]types.WriteRequest{ddbTable: reqs}
				for attempt := 0; len(pending[ddbTable]) > 0; attempt++ {
					if attempt == 20 {
						errs[w] = errors.New("preload: items stay unprocessed")
						break
					}
					time.Sleep(time.Duration(attempt) * 10 * time.Millisecond)
					out, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
					if err != nil {
						errs[w] = fmt.Errorf("preload: %w", err)
						break
					}
					pending = out.UnprocessedItems
				}
			}
		}()
	}
	for first := 0; first < ddbItems; first += batchWriteMax {
		firsts <- first
	}
	close(firsts)
	wg.Wait()
	return errors.Join(errs...)
}

// ceilingCall is the plain HTTP ceiling's request: a GET whose answer is
// read to the end, with no SDK in the way.
func ceilingCall(hc *http.Client, url string) callFunc {
	return func(ctx context.Context, _ *rand.Rand) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK || string(body) != "ok" {
			return fmt.Errorf("ceiling answered %d %q, want 200 ok", resp.StatusCode, body)
		}
		return nil
	}
}
