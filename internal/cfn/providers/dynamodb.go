package providers

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::DynamoDB::Table",
		Tags:     resource.TagList,
		Required: []string{"KeySchema"},
		Provider: table{},
		Lister:   table{},
		// TableName and ImportSourceSpecification are the schema's
		// create-only properties; a table's key schema and its local
		// secondary indexes are fixed when it is created, so their
		// changes replace it too ("Update requires: Replacement").
		Replace:      []string{"TableName", "KeySchema", "LocalSecondaryIndexes", "ImportSourceSpecification"},
		NameProperty: "TableName",
		Attributes:   []string{"Arn", "StreamArn"},
	})
}

// table is AWS::DynamoDB::Table: CreateTable (or, with
// ImportSourceSpecification, ImportTable waited for), then UpdateTimeToLive,
// UpdateContinuousBackups (PointInTimeRecoverySpecification),
// EnableKinesisStreamingDestination (KinesisStreamSpecification) and
// UpdateContributorInsights (the table's and its global secondary indexes'
// ContributorInsightsSpecification); updates go through UpdateTable (one
// index change per call, as DynamoDB allows), UpdateTimeToLive,
// UpdateContinuousBackups, the Kinesis streaming destination operations,
// UpdateContributorInsights and the tagging operations.
type table struct{}

var tableKinds = map[string]kind{
	"ReadCapacityUnits": number, "WriteCapacityUnits": number,
	"MaxReadRequestUnits": number, "MaxWriteRequestUnits": number,
	"DeletionProtectionEnabled": boolean, "SSEEnabled": boolean, "Enabled": boolean,
	"PointInTimeRecoveryEnabled": boolean, "RecoveryPeriodInDays": number,
}

const (
	billingProvisioned   = "PROVISIONED"
	billingPayPerRequest = "PAY_PER_REQUEST"
)

func (table) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, tableKinds)
	if err := tableUnsupported(p); err != nil {
		return nil, err
	}
	name := p.str("TableName")
	if name == "" {
		name = physicalName(r, maxTableName)
	}
	in := p.pick(map[string]any{"TableName": name},
		"AttributeDefinitions", "KeySchema", "LocalSecondaryIndexes", "GlobalSecondaryIndexes",
		"BillingMode", "ProvisionedThroughput", "TableClass", "DeletionProtectionEnabled", "OnDemandThroughput")
	if ss := p.obj("StreamSpecification"); ss != nil {
		in["StreamSpecification"] = map[string]any{"StreamEnabled": true, "StreamViewType": ss.str("StreamViewType")}
	}
	if sse := p.obj("SSESpecification"); sse != nil {
		in["SSESpecification"] = sseInput(sse)
	}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["Tags"] = tagList(tags)
	}
	if rp := p.obj("ResourcePolicy"); rp != nil {
		doc, err := jsonText(rp["PolicyDocument"])
		if err != nil {
			return nil, err
		}
		in["ResourcePolicy"] = doc
	}
	var out map[string]any
	var err error
	// Once the table may exist, a failure names it, so that the
	// rollback deletes it (an import's table exists as it starts).
	made := &resource.Result{PhysicalID: name}
	if imp := p.obj("ImportSourceSpecification"); imp != nil {
		var started bool
		if out, started, err = importTable(ctx, r, in, imp); err != nil && started {
			return made, err
		} else if err != nil {
			return nil, err
		}
	} else if out, err = call(ctx, r, "dynamodb", "CreateTable", in); err != nil {
		return nil, err
	}
	if ttl := p.obj("TimeToLiveSpecification"); ttl != nil && ttl.flag("Enabled") {
		if err := setTTL(ctx, r, name, ttl.str("AttributeName"), true); err != nil {
			return made, err
		}
	}
	if pitr := p.obj("PointInTimeRecoverySpecification"); pitr.flag("PointInTimeRecoveryEnabled") {
		if err := setPITR(ctx, r, name, pitr); err != nil {
			return made, err
		}
	}
	if ks := p.obj("KinesisStreamSpecification"); ks != nil {
		if err := setKinesisDestination(ctx, r, name, nil, ks); err != nil {
			return made, err
		}
	}
	if err := setContributorInsights(ctx, r, name, nil, p); err != nil {
		return made, err
	}
	return tableResult(asMap(out["TableDescription"])), nil
}

// tableUnsupported refuses the properties that would change what a table
// does and that virga cannot honour: with ImportSourceSpecification, those
// that ImportTable's TableCreationParameters cannot carry and no later
// call can set.
func tableUnsupported(p props) error {
	if !p.has("ImportSourceSpecification") {
		return nil
	}
	for _, k := range []string{"LocalSecondaryIndexes", "TableClass", "DeletionProtectionEnabled", "OnDemandThroughput", "ResourcePolicy"} {
		if p.has(k) {
			return fmt.Errorf("AWS::DynamoDB::Table: %s with ImportSourceSpecification is not supported by virga yet", k)
		}
	}
	return nil
}

// importTable makes the table from an ImportSourceSpecification: an
// ImportTable of the CreateTable request in's definition, waited for
// until it ends (a FAILED import fails the resource), then the stream and
// tags ImportTable cannot set. It returns DescribeTable's output, whose
// Table stands for CreateTable's TableDescription, and whether ImportTable
// started (making the table), which a later failure leaves behind.
func importTable(ctx context.Context, r *resource.Request, in map[string]any, imp props) (map[string]any, bool, error) {
	params := map[string]any{}
	for _, k := range []string{"TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
		"SSESpecification", "GlobalSecondaryIndexes"} {
		if v, ok := in[k]; ok {
			params[k] = v
		}
	}
	req := imp.pick(map[string]any{"TableCreationParameters": params, "ClientToken": rand.Text()},
		"S3BucketSource", "InputFormat", "InputFormatOptions", "InputCompressionType")
	out, err := call(ctx, r, "dynamodb", "ImportTable", req)
	if err != nil {
		return nil, false, err
	}
	arn := props(asMap(out["ImportTableDescription"])).str("ImportArn")
	for {
		d, err := call(ctx, r, "dynamodb", "DescribeImport", map[string]any{"ImportArn": arn})
		if err != nil {
			return nil, true, err
		}
		desc := props(asMap(d["ImportTableDescription"]))
		if st := desc.str("ImportStatus"); st == "FAILED" {
			return nil, true, fmt.Errorf("the import from S3 failed: %s: %s", desc.str("FailureCode"), desc.str("FailureMessage"))
		} else if st != "IN_PROGRESS" {
			break
		}
		if err := resource.Sleep(ctx, 20*time.Millisecond); err != nil {
			return nil, true, err
		}
	}
	name := in["TableName"]
	if ss, ok := in["StreamSpecification"]; ok {
		if _, err := call(ctx, r, "dynamodb", "UpdateTable", map[string]any{"TableName": name, "StreamSpecification": ss}); err != nil {
			return nil, true, err
		}
	}
	desc, err := call(ctx, r, "dynamodb", "DescribeTable", map[string]any{"TableName": name})
	if err != nil {
		return nil, true, err
	}
	if tags, ok := in["Tags"]; ok {
		arn := props(asMap(desc["Table"])).str("TableArn")
		if _, err := call(ctx, r, "dynamodb", "TagResource", map[string]any{"ResourceArn": arn, "Tags": tags}); err != nil {
			return nil, true, err
		}
	}
	return map[string]any{"TableDescription": desc["Table"]}, true, nil
}

// sseInput is the API's SSESpecification for CloudFormation's, whose
// members are named SSEEnabled, SSEType and KMSMasterKeyId.
func sseInput(sse props) map[string]any {
	in := map[string]any{"Enabled": sse.flag("SSEEnabled")}
	if t := sse.str("SSEType"); t != "" {
		in["SSEType"] = t
	}
	if k := sse.str("KMSMasterKeyId"); k != "" {
		in["KMSMasterKeyId"] = k
	}
	return in
}

func setTTL(ctx context.Context, r *resource.Request, table, attribute string, enabled bool) error {
	_, err := call(ctx, r, "dynamodb", "UpdateTimeToLive", map[string]any{
		"TableName":               table,
		"TimeToLiveSpecification": map[string]any{"AttributeName": attribute, "Enabled": enabled},
	})
	return err
}

// setPITR sets a table's point-in-time recovery as spec (a
// PointInTimeRecoverySpecification, nil for off) describes it.
func setPITR(ctx context.Context, r *resource.Request, table string, spec props) error {
	in := map[string]any{"PointInTimeRecoveryEnabled": spec.flag("PointInTimeRecoveryEnabled")}
	if d, ok := spec["RecoveryPeriodInDays"]; ok && spec.flag("PointInTimeRecoveryEnabled") {
		in["RecoveryPeriodInDays"] = d
	}
	_, err := call(ctx, r, "dynamodb", "UpdateContinuousBackups", map[string]any{
		"TableName":                        table,
		"PointInTimeRecoverySpecification": in,
	})
	return err
}

// setKinesisDestination moves a table's Kinesis streaming destination
// from was to now (KinesisStreamSpecifications, nil for none): the old
// stream's destination is disabled, the new one's enabled, with its
// ApproximateCreationDateTimePrecision. A change of precision alone is
// UpdateKinesisStreamingDestination.
func setKinesisDestination(ctx context.Context, r *resource.Request, table string, was, now props) error {
	if was != nil && now != nil && was.str("StreamArn") == now.str("StreamArn") {
		precision := now.str("ApproximateCreationDateTimePrecision")
		if precision == "" {
			precision = "MILLISECOND"
		}
		_, err := call(ctx, r, "dynamodb", "UpdateKinesisStreamingDestination", map[string]any{
			"TableName": table, "StreamArn": now.str("StreamArn"),
			"UpdateKinesisStreamingConfiguration": map[string]any{"ApproximateCreationDateTimePrecision": precision},
		})
		return err
	}
	if was != nil && was.str("StreamArn") != "" {
		_, err := call(ctx, r, "dynamodb", "DisableKinesisStreamingDestination", map[string]any{
			"TableName": table, "StreamArn": was.str("StreamArn"),
		})
		if err != nil {
			return err
		}
	}
	if now == nil {
		return nil
	}
	in := map[string]any{"TableName": table, "StreamArn": now.str("StreamArn")}
	if p := now.str("ApproximateCreationDateTimePrecision"); p != "" {
		in["EnableKinesisStreamingConfiguration"] = map[string]any{"ApproximateCreationDateTimePrecision": p}
	}
	_, err := call(ctx, r, "dynamodb", "EnableKinesisStreamingDestination", in)
	return err
}

// setContributorInsights turns contributor insights on or off for the
// table and each of its global secondary indexes whose
// ContributorInsightsSpecification says otherwise in now than in was
// (nil at creation).
func setContributorInsights(ctx context.Context, r *resource.Request, table string, was, now props) error {
	set := func(index string, was, now props) error {
		enable := now.obj("ContributorInsightsSpecification").flag("Enabled")
		if enable == was.obj("ContributorInsightsSpecification").flag("Enabled") {
			return nil
		}
		in := map[string]any{"TableName": table, "ContributorInsightsAction": "DISABLE"}
		if enable {
			in["ContributorInsightsAction"] = "ENABLE"
		}
		if index != "" {
			in["IndexName"] = index
		}
		_, err := call(ctx, r, "dynamodb", "UpdateContributorInsights", in)
		return err
	}
	if err := set("", was, now); err != nil {
		return err
	}
	wasGSIs := indexesByName(was.list("GlobalSecondaryIndexes"))
	for _, g := range now.list("GlobalSecondaryIndexes") {
		ix := props(asMap(g))
		if err := set(ix.str("IndexName"), wasGSIs[ix.str("IndexName")], ix); err != nil {
			return err
		}
	}
	return nil
}

func tableResult(desc props) *resource.Result {
	attrs := map[string]any{"Arn": desc.str("TableArn")}
	if ss := desc.obj("StreamSpecification"); ss != nil && ss.flag("StreamEnabled") {
		attrs["StreamArn"] = desc.str("LatestStreamArn")
	}
	return &resource.Result{PhysicalID: desc.str("TableName"), Attributes: attrs}
}

func (table) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, tableKinds)
	if err := tableUnsupported(p); err != nil {
		return nil, err
	}
	name := r.PhysicalID
	update := func(in map[string]any) error {
		in["TableName"] = name
		_, err := call(ctx, r, "dynamodb", "UpdateTable", in)
		return err
	}

	in, throughputSet := billingUpdate(old, p)
	if in != nil {
		if err := update(in); err != nil {
			return nil, err
		}
	}
	if err := updateGSIs(old, p, throughputSet, update); err != nil {
		return nil, err
	}
	if changed(old, p, "StreamSpecification") {
		was, now := old.obj("StreamSpecification").str("StreamViewType"), p.obj("StreamSpecification").str("StreamViewType")
		// A stream's view type cannot change in place: DynamoDB wants it
		// disabled, then enabled with the new type.
		if was != "" {
			if err := update(map[string]any{"StreamSpecification": map[string]any{"StreamEnabled": false}}); err != nil {
				return nil, err
			}
		}
		if now != "" {
			if err := update(map[string]any{"StreamSpecification": map[string]any{"StreamEnabled": true, "StreamViewType": now}}); err != nil {
				return nil, err
			}
		}
	}
	settings := map[string]any{}
	if changed(old, p, "SSESpecification") {
		if sse := p.obj("SSESpecification"); sse != nil {
			settings["SSESpecification"] = sseInput(sse)
		} else {
			settings["SSESpecification"] = map[string]any{"Enabled": false}
		}
	}
	if changed(old, p, "TableClass") {
		settings["TableClass"] = "STANDARD"
		if c := p.str("TableClass"); c != "" {
			settings["TableClass"] = c
		}
	}
	if changed(old, p, "DeletionProtectionEnabled") {
		settings["DeletionProtectionEnabled"] = p.flag("DeletionProtectionEnabled")
	}
	if changed(old, p, "OnDemandThroughput") && p.has("OnDemandThroughput") {
		settings["OnDemandThroughput"] = p["OnDemandThroughput"]
	}
	if len(settings) > 0 {
		if err := update(settings); err != nil {
			return nil, err
		}
	}
	if changed(old, p, "TimeToLiveSpecification") {
		was, now := old.obj("TimeToLiveSpecification"), p.obj("TimeToLiveSpecification")
		if was.flag("Enabled") {
			if err := setTTL(ctx, r, name, was.str("AttributeName"), false); err != nil {
				return nil, err
			}
		}
		if now.flag("Enabled") {
			if err := setTTL(ctx, r, name, now.str("AttributeName"), true); err != nil {
				return nil, err
			}
		}
	}
	if changed(old, p, "PointInTimeRecoverySpecification") {
		if err := setPITR(ctx, r, name, p.obj("PointInTimeRecoverySpecification")); err != nil {
			return nil, err
		}
	}
	if changed(old, p, "KinesisStreamSpecification") {
		if err := setKinesisDestination(ctx, r, name, old.obj("KinesisStreamSpecification"), p.obj("KinesisStreamSpecification")); err != nil {
			return nil, err
		}
	}
	if err := setContributorInsights(ctx, r, name, old, p); err != nil {
		return nil, err
	}
	out, err := call(ctx, r, "dynamodb", "DescribeTable", map[string]any{"TableName": name})
	if err != nil {
		return nil, err
	}
	res := tableResult(asMap(out["Table"]))
	if err := retagTable(ctx, r, res.Attributes["Arn"].(string), old, p); err != nil {
		return nil, err
	}
	return res, nil
}

// billingUpdate is the UpdateTable input that changes a table's billing
// mode and throughput, or nil when neither changes. A table without
// BillingMode is provisioned, as CloudFormation documents. A switch to
// provisioned carries the throughput of every global secondary index the
// table keeps, as DynamoDB requires; set names them.
func billingUpdate(old, new props) (in map[string]any, set map[string]bool) {
	mode := func(p props) string {
		if m := p.str("BillingMode"); m != "" {
			return m
		}
		return billingProvisioned
	}
	in = map[string]any{}
	set = map[string]bool{}
	if mode(old) != mode(new) {
		in["BillingMode"] = mode(new)
	}
	if mode(new) == billingProvisioned && (mode(old) != mode(new) || changed(old, new, "ProvisionedThroughput")) && new.has("ProvisionedThroughput") {
		in["ProvisionedThroughput"] = new["ProvisionedThroughput"]
	}
	if mode(new) == billingProvisioned && mode(old) != mode(new) {
		was, now := indexesByName(old.list("GlobalSecondaryIndexes")), indexesByName(new.list("GlobalSecondaryIndexes"))
		var updates []any
		for _, name := range sortedKeys(now) {
			if was[name] != nil && now[name].has("ProvisionedThroughput") {
				updates = append(updates, map[string]any{"Update": map[string]any{"IndexName": name,
					"ProvisionedThroughput": now[name]["ProvisionedThroughput"]}})
				set[name] = true
			}
		}
		if len(updates) > 0 {
			in["GlobalSecondaryIndexUpdates"] = updates
		}
	}
	if len(in) == 0 {
		return nil, nil
	}
	return in, set
}

// updateGSIs deletes, creates and changes the throughput of global
// secondary indexes, one UpdateTable each. An index whose key schema or
// projection changes cannot be updated (DynamoDB cannot), as
// CloudFormation reports; renaming it replaces it. The indexes in
// throughputSet had their throughput set with the billing mode.
func updateGSIs(old, new props, throughputSet map[string]bool, update func(map[string]any) error) error {
	was, now := indexesByName(old.list("GlobalSecondaryIndexes")), indexesByName(new.list("GlobalSecondaryIndexes"))
	for _, name := range sortedKeys(was) {
		if _, ok := now[name]; !ok {
			if err := update(map[string]any{"GlobalSecondaryIndexUpdates": []any{
				map[string]any{"Delete": map[string]any{"IndexName": name}},
			}}); err != nil {
				return err
			}
		}
	}
	for _, name := range sortedKeys(now) {
		ix, before := now[name], was[name]
		switch {
		case before == nil:
			create := ix.pick(map[string]any{}, "IndexName", "KeySchema", "Projection", "ProvisionedThroughput", "OnDemandThroughput")
			if err := update(map[string]any{
				"AttributeDefinitions":        new["AttributeDefinitions"],
				"GlobalSecondaryIndexUpdates": []any{map[string]any{"Create": create}},
			}); err != nil {
				return err
			}
		case changed(before, ix, "KeySchema", "Projection"):
			return errors.New("AWS::DynamoDB::Table: cannot update the KeySchema or Projection of global secondary index " + name +
				"; give the index a new name to replace it")
		case changed(before, ix, "ProvisionedThroughput") && ix.has("ProvisionedThroughput") && !throughputSet[name]:
			if err := update(map[string]any{"GlobalSecondaryIndexUpdates": []any{
				map[string]any{"Update": map[string]any{"IndexName": name, "ProvisionedThroughput": ix["ProvisionedThroughput"]}},
			}}); err != nil {
				return err
			}
		}
	}
	return nil
}

func indexesByName(l []any) map[string]props {
	out := map[string]props{}
	for _, e := range l {
		ix := props(asMap(e))
		out[ix.str("IndexName")] = ix
	}
	return out
}

func retagTable(ctx context.Context, r *resource.Request, arn string, old, new props) error {
	set, removed := tagDiff(tagMap(old["Tags"]), tagMap(new["Tags"]))
	if len(removed) > 0 {
		if _, err := call(ctx, r, "dynamodb", "UntagResource", map[string]any{"ResourceArn": arn, "TagKeys": anyStrings(removed)}); err != nil {
			return err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "dynamodb", "TagResource", map[string]any{"ResourceArn": arn, "Tags": tagList(set)}); err != nil {
			return err
		}
	}
	return nil
}

func (table) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "dynamodb", "DeleteTable", map[string]any{"TableName": r.PhysicalID})
	return ignoreGone(err)
}
