package providers

import (
	"context"
	"fmt"
	"maps"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::DynamoDB::GlobalTable",
		Required: []string{"AttributeDefinitions", "KeySchema", "Replicas"},
		Provider: globalTable{},
		// The schema's create-only properties.
		Replace:      []string{"TableName", "KeySchema", "LocalSecondaryIndexes"},
		NameProperty: "TableName",
		Attributes:   []string{"Arn", "StreamArn", "TableId"},
	})
}

// globalTable is AWS::DynamoDB::GlobalTable (the CDK's TableV2): a
// table with a replica in each listed region. virga serves one region,
// so the template must list a replica in the stack's region and no
// other; the table is that replica, made and changed as
// AWS::DynamoDB::Table makes it from the properties the two share,
// with the replica's own settings (point-in-time recovery, tags,
// deletion protection, table class, the KMS key, Kinesis streaming,
// read capacity) merged in.
type globalTable struct{}

// replicaSettings are the members of a replica that become the table's
// properties of the same name.
var replicaSettings = []string{"PointInTimeRecoverySpecification", "Tags", "DeletionProtectionEnabled", "TableClass", "KinesisStreamSpecification", "ResourcePolicy"}

// asTable turns a global table's properties into a table's; nil
// properties (an Update's old ones on create) give nil.
func asTable(p props, region string) (map[string]any, error) {
	if p == nil {
		return nil, nil
	}
	var replica props
	var others []string
	for _, r := range p.list("Replicas") {
		rp := props(asMap(r))
		if rp.str("Region") == region {
			replica = rp
		} else {
			others = append(others, rp.str("Region"))
		}
	}
	if len(others) > 0 {
		return nil, fmt.Errorf("AWS::DynamoDB::GlobalTable: replicas in other regions than the stack's (%v) are not supported by virga", others)
	}
	if replica == nil {
		return nil, fmt.Errorf("AWS::DynamoDB::GlobalTable: Replicas must list a replica in the stack's region, %s", region)
	}
	t := p.pick(map[string]any{}, "TableName", "AttributeDefinitions", "KeySchema", "LocalSecondaryIndexes", "StreamSpecification", "TimeToLiveSpecification")
	t = replica.pick(t, replicaSettings...)
	billing := p.str("BillingMode")
	if billing == "" {
		billing = billingProvisioned // the schema's default
	}
	t["BillingMode"] = billing
	if sse := p.obj("SSESpecification"); sse != nil {
		s := sse.pick(map[string]any{}, "SSEEnabled", "SSEType")
		if key := replica.obj("SSESpecification").str("KMSMasterKeyId"); key != "" {
			s["KMSMasterKeyId"] = key
		}
		t["SSESpecification"] = s
	}
	if billing == billingProvisioned {
		t["ProvisionedThroughput"] = globalThroughput(p.obj("WriteProvisionedThroughputSettings"), replica.obj("ReadProvisionedThroughputSettings"))
	} else if od := onDemand(p.obj("WriteOnDemandThroughputSettings"), replica.obj("ReadOnDemandThroughputSettings")); od != nil {
		t["OnDemandThroughput"] = od
	}
	replicaGSIs := indexesByName(replica.list("GlobalSecondaryIndexes"))
	var gsis []any
	for _, g := range p.list("GlobalSecondaryIndexes") {
		gp := props(asMap(g))
		idx := gp.pick(map[string]any{}, "IndexName", "KeySchema", "Projection")
		rg := replicaGSIs[gp.str("IndexName")]
		if billing == billingProvisioned {
			idx["ProvisionedThroughput"] = globalThroughput(gp.obj("WriteProvisionedThroughputSettings"), rg.obj("ReadProvisionedThroughputSettings"))
		} else if od := onDemand(gp.obj("WriteOnDemandThroughputSettings"), rg.obj("ReadOnDemandThroughputSettings")); od != nil {
			idx["OnDemandThroughput"] = od
		}
		gsis = append(gsis, idx)
	}
	if gsis != nil {
		t["GlobalSecondaryIndexes"] = gsis
	}
	return t, nil
}

// globalThroughput is the provisioned capacity of a global table or
// index: its write capacity is managed by auto scaling, whose minimum
// virga provisions; its read capacity is the replica's, fixed or the
// minimum of its auto scaling.
func globalThroughput(write, read props) map[string]any {
	capacity := func(fixed any, scaling props) any {
		if fixed != nil {
			return fixed
		}
		if v, ok := scaling["MinCapacity"]; ok {
			return v
		}
		return 1
	}
	return map[string]any{
		"WriteCapacityUnits": capacity(nil, write.obj("WriteCapacityAutoScalingSettings")),
		"ReadCapacityUnits":  capacity(read["ReadCapacityUnits"], read.obj("ReadCapacityAutoScalingSettings")),
	}
}

// onDemand is an on-demand table's or index's maximum throughput, or
// nil when neither side sets one.
func onDemand(write, read props) map[string]any {
	od := map[string]any{}
	if v, ok := write["MaxWriteRequestUnits"]; ok {
		od["MaxWriteRequestUnits"] = v
	}
	if v, ok := read["MaxReadRequestUnits"]; ok {
		od["MaxReadRequestUnits"] = v
	}
	if len(od) == 0 {
		return nil
	}
	return od
}

// asTableRequest is r with its properties a table's.
func asTableRequest(r *resource.Request) (*resource.Request, error) {
	region := ""
	if r.Env != nil {
		region = r.Env.Region
	}
	cur, err := asTable(r.Properties, region)
	if err != nil {
		return nil, err
	}
	old, err := asTable(r.OldProperties, region)
	if err != nil {
		return nil, err
	}
	c := *r
	c.Properties, c.OldProperties = cur, old
	return &c, nil
}

func (globalTable) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	tr, err := asTableRequest(r)
	if err != nil {
		return nil, err
	}
	res, err := table{}.Create(ctx, tr)
	return withTableID(ctx, r, res), err
}

func (globalTable) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	tr, err := asTableRequest(r)
	if err != nil {
		return nil, err
	}
	res, err := table{}.Update(ctx, tr)
	return withTableID(ctx, r, res), err
}

func (globalTable) Delete(ctx context.Context, r *resource.Request) error {
	return table{}.Delete(ctx, r)
}

// withTableID adds the TableId attribute, which a global table has and
// a table does not, from DescribeTable.
func withTableID(ctx context.Context, r *resource.Request, res *resource.Result) *resource.Result {
	if res == nil || res.PhysicalID == "" {
		return res
	}
	out, err := call(ctx, r, "dynamodb", "DescribeTable", map[string]any{"TableName": res.PhysicalID})
	if err != nil {
		return res
	}
	if id := props(asMap(out["Table"])).str("TableId"); id != "" {
		res.Attributes = maps.Clone(res.Attributes)
		res.Attributes["TableId"] = id
	}
	return res
}
