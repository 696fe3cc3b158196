package template_test

import (
	"fmt"

	"github.com/virga/virga/internal/cfn/template"
)

// engine stands in for the CloudFormation engine: it "creates" each
// resource by giving it a physical ID.
type engine struct{ ids map[string]string }

func (e *engine) Ref(id string) (string, error) { return e.ids[id], nil }

func (e *engine) GetAtt(id, attr string) (any, error) {
	return "arn:aws:sqs:us-east-1:123456789012:" + e.ids[id], nil
}

func (e *engine) ImportValue(name string) (string, error) {
	return "", fmt.Errorf("No export named %s found.", name)
}

// The pipeline a stack operation runs: parse, validate, resolve the
// parameters, evaluate the conditions, order the resources and evaluate
// each resource's properties once the resources it depends on exist.
func Example() {
	body := []byte(`
Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  DeadLetters:
    Type: AWS::SQS::Queue
    Condition: IsProd
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${AWS::StackName}-${Env}"
      RedrivePolicy: !If
        - IsProd
        - {deadLetterTargetArn: !GetAtt DeadLetters.Arn, maxReceiveCount: 5}
        - !Ref AWS::NoValue
`)
	tmpl, err := template.Parse(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := tmpl.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	pseudo := template.Pseudo{Region: "us-east-1", AccountID: "123456789012", StackName: "orders"}
	if _, err := tmpl.ResolveParameters(nil, pseudo); err != nil {
		fmt.Println(err)
	}
	vals, err := tmpl.ResolveParameters(map[string]string{"Env": "prod"}, pseudo)
	if err != nil {
		fmt.Println(err)
		return
	}
	conds, err := tmpl.EvalConditions(vals)
	if err != nil {
		fmt.Println(err)
		return
	}
	graph, err := tmpl.Graph(conds)
	if err != nil {
		fmt.Println(err)
		return
	}
	created := &engine{ids: map[string]string{}}
	for _, wave := range graph.Waves() {
		for _, name := range wave {
			props, err := template.Eval(tmpl.Resources[name].Properties, &template.EvalContext{
				Template: tmpl, Values: vals, Conditions: conds, Resolver: created,
				Path: "/Resources/" + name + "/Properties",
			})
			if err != nil {
				fmt.Println(err)
				return
			}
			fmt.Println(name, props)
			created.ids[name] = "orders-" + name
		}
	}
	fmt.Println("delete:", graph.DeletionWaves())
	// Output:
	// Parameters: [Env] must have values
	// DeadLetters map[]
	// Queue map[QueueName:orders-prod RedrivePolicy:map[deadLetterTargetArn:arn:aws:sqs:us-east-1:123456789012:orders-DeadLetters maxReceiveCount:5]]
	// delete: [[Queue] [DeadLetters]]
}
