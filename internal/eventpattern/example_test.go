package eventpattern_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/virga/virga/internal/eventpattern"
)

func ExampleCompile() {
	p, err := eventpattern.Compile([]byte(`{
		"source": ["aws.ec2"],
		"detail": {
			"state": [{"anything-but": "initializing"}],
			"c-count": [{"numeric": [">", 0, "<=", 5]}]
		}
	}`), eventpattern.EventBridge)
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Match([]byte(`{"source":"aws.ec2","detail":{"state":"running","c-count":5}}`)))
	fmt.Println(p.Match([]byte(`{"source":"aws.ec2","detail":{"state":"running","c-count":6}}`)))
	// Output:
	// true
	// false
}

func ExampleCompile_invalid() {
	_, err := eventpattern.Compile([]byte(`{"detail":{"state":"running"}}`), eventpattern.EventBridge)
	var perr *eventpattern.Error
	if errors.As(err, &perr) {
		fmt.Println(perr.Reason)
		fmt.Println(err)
	}
	// Output:
	// "state" must be an object or an array
	// Event pattern is not valid. Reason: "state" must be an object or an array
}

func ExamplePattern_MatchValue() {
	p, err := eventpattern.Compile([]byte(`{
		"customer_interests": ["rugby", "football"],
		"price_usd": [{"numeric": [">=", 100]}]
	}`), eventpattern.SNSMessageAttributes)
	if err != nil {
		panic(err)
	}
	// Attributes as SNS delivers them: a String.Array becomes a []any, a
	// Number a json.Number.
	attributes := map[string]any{
		"customer_interests": []any{"baseball", "rugby"},
		"price_usd":          json.Number("1.5e2"),
	}
	fmt.Println(p.MatchValue(attributes))
	// Output:
	// true
}
