package providers

import (
	"context"
	"fmt"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
)

// Route 53's hosted zones and record sets, made through the Route 53
// API (package route53), which checks each change batch as AWS does.

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::Route53::HostedZone",
		Required: []string{"Name"},
		Provider: hostedZoneProvider{},
		// "Update requires: Replacement" for the name; a private zone's
		// VPCs are recorded at creation only, so a change replaces it.
		Replace:    []string{"Name", "VPCs"},
		Attributes: []string{"Id", "NameServers"},
	})
	resource.Register(&resource.Type{
		Name:     "AWS::Route53::RecordSet",
		Required: []string{"Name", "Type"},
		Provider: recordSetProvider{},
		Replace:  []string{"HostedZoneId", "HostedZoneName", "Name", "SetIdentifier"},
		// A record set has no attributes; its Ref is its name.
		Attributes: []string{},
	})
	resource.Register(&resource.Type{
		Name:     "AWS::Route53::HealthCheck",
		Required: []string{"HealthCheckConfig"},
		Provider: healthCheckProvider{},
		// The settings UpdateHealthCheck cannot change.
		Replace:    []string{"HealthCheckConfig.Type", "HealthCheckConfig.MeasureLatency", "HealthCheckConfig.RequestInterval"},
		Attributes: []string{"HealthCheckId"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::Route53::RecordSetGroup",
		Provider:   recordSetGroupProvider{},
		Replace:    []string{"HostedZoneId", "HostedZoneName"},
		Attributes: []string{},
	})
}

// route53Kinds are the record set properties templates write as text
// that the API takes as numbers and booleans.
var route53Kinds = map[string]kind{"TTL": number, "Weight": number, "EvaluateTargetHealth": boolean, "MultiValueAnswer": boolean, "PrivateZone": boolean,
	// A health check's settings.
	"Port": number, "RequestInterval": number, "FailureThreshold": number, "HealthThreshold": number,
	"MeasureLatency": boolean, "Inverted": boolean, "Disabled": boolean, "EnableSNI": boolean}

// hostedZoneProvider is AWS::Route53::HostedZone: CreateHostedZone. Its
// Ref is the zone's id without "/hostedzone/"; GetAtt gives Id and
// NameServers (none for a private zone).
type hostedZoneProvider struct{}

func (hostedZoneProvider) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, route53Kinds)
	in := map[string]any{"Name": p.str("Name"), "CallerReference": physicalName(r, 128)}
	if c := p.obj("HostedZoneConfig"); c.has("Comment") {
		in["HostedZoneConfig"] = map[string]any{"Comment": c.str("Comment")}
	}
	if vpcs := p.list("VPCs"); len(vpcs) > 0 {
		v := props(asMap(vpcs[0]))
		in["VPC"] = map[string]any{"VPCId": v.str("VPCId"), "VPCRegion": v.str("VPCRegion")}
	}
	out, err := call(ctx, r, "route53", "CreateHostedZone", in)
	if err != nil {
		return nil, err
	}
	id := strings.TrimPrefix(outStr(asMap(out["HostedZone"]), "Id"), "/hostedzone/")
	res := &resource.Result{PhysicalID: id, Attributes: map[string]any{"Id": id, "NameServers": nameServers(out)}}
	if tags := tagMap(p["HostedZoneTags"]); len(tags) > 0 {
		if _, err := call(ctx, r, "route53", "ChangeTagsForResource", map[string]any{"ResourceType": "hostedzone", "ResourceId": id,
			"AddTags": tagList(tags)}); err != nil {
			return res, err
		}
	}
	return res, nil
}

// nameServers are a public zone's name servers from its delegation set.
func nameServers(out map[string]any) []any {
	ns, _ := asMap(out["DelegationSet"])["NameServers"].([]any)
	if ns == nil {
		ns = []any{}
	}
	return ns
}

func (hostedZoneProvider) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, route53Kinds)
	res := &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}
	if changed(old, p, "HostedZoneConfig") {
		if _, err := call(ctx, r, "route53", "UpdateHostedZoneComment", map[string]any{"Id": r.PhysicalID,
			"Comment": p.obj("HostedZoneConfig").str("Comment")}); err != nil {
			return nil, err
		}
	}
	if err := changeRoute53Tags(ctx, r, "hostedzone", old, p, "HostedZoneTags"); err != nil {
		return nil, err
	}
	return res, nil
}

// changeRoute53Tags brings the tags of a hosted zone or health check
// from the old properties' to the new ones'.
func changeRoute53Tags(ctx context.Context, r *resource.Request, typ string, old, p props, prop string) error {
	if !changed(old, p, prop) {
		return nil
	}
	cur, was := tagMap(p[prop]), tagMap(old[prop])
	in := map[string]any{"ResourceType": typ, "ResourceId": r.PhysicalID}
	var gone []any
	for k := range was {
		if _, ok := cur[k]; !ok {
			gone = append(gone, k)
		}
	}
	if len(gone) > 0 {
		in["RemoveTagKeys"] = gone
	}
	if len(cur) > 0 {
		in["AddTags"] = tagList(cur)
	}
	if len(gone) == 0 && len(cur) == 0 {
		return nil
	}
	_, err := call(ctx, r, "route53", "ChangeTagsForResource", in)
	return err
}

// healthCheckProvider is AWS::Route53::HealthCheck: CreateHealthCheck,
// UpdateHealthCheck for the settings it can change. Its Ref and
// HealthCheckId are the check's id.
type healthCheckProvider struct{}

func (healthCheckProvider) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, route53Kinds)
	out, err := call(ctx, r, "route53", "CreateHealthCheck", map[string]any{"CallerReference": physicalName(r, 64),
		"HealthCheckConfig": p["HealthCheckConfig"]})
	if err != nil {
		return nil, err
	}
	id := outStr(asMap(out["HealthCheck"]), "Id")
	res := &resource.Result{PhysicalID: id, Attributes: map[string]any{"HealthCheckId": id}}
	r.PhysicalID = id
	return res, changeRoute53Tags(ctx, r, "healthcheck", props{}, p, "HealthCheckTags")
}

// resettable are the settings UpdateHealthCheck clears when they are
// named in ResetElements.
var resettable = []string{"FullyQualifiedDomainName", "Regions", "ResourcePath", "ChildHealthChecks"}

func (healthCheckProvider) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, route53Kinds)
	res := &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}
	if changed(old, p, "HealthCheckConfig") {
		cur, was := p.obj("HealthCheckConfig"), old.obj("HealthCheckConfig")
		in := map[string]any{"HealthCheckId": r.PhysicalID}
		for k, v := range cur {
			switch k {
			case "Type", "MeasureLatency", "RequestInterval", "RoutingControlArn":
			default:
				in[k] = v
			}
		}
		var reset []any
		for _, k := range resettable {
			if was.has(k) && !cur.has(k) {
				reset = append(reset, k)
			}
		}
		if len(reset) > 0 {
			in["ResetElements"] = reset
		}
		if _, err := call(ctx, r, "route53", "UpdateHealthCheck", in); err != nil {
			return nil, err
		}
	}
	return res, changeRoute53Tags(ctx, r, "healthcheck", old, p, "HealthCheckTags")
}

func (healthCheckProvider) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "route53", "DeleteHealthCheck", map[string]any{"HealthCheckId": r.PhysicalID})
	return ignoreGone(err)
}

func (hostedZoneProvider) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "route53", "DeleteHostedZone", map[string]any{"Id": r.PhysicalID})
	return ignoreGone(err)
}

// recordSetProvider is AWS::Route53::RecordSet: a CREATE, UPSERTs for
// updates and a DELETE of what the zone holds. Its physical ID and Ref
// are the record's name.
type recordSetProvider struct{}

func (recordSetProvider) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, route53Kinds)
	zone, err := hostedZoneOf(ctx, r, p)
	if err != nil {
		return nil, err
	}
	if err := changeRecordSets(ctx, r, zone, p.str("Comment"), recordChange("CREATE", p)); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: p.str("Name")}, nil
}

func (recordSetProvider) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, route53Kinds)
	zone, err := hostedZoneOf(ctx, r, p)
	if err != nil {
		return nil, err
	}
	changes := []any{recordChange("UPSERT", p)}
	if !strings.EqualFold(p.str("Type"), old.str("Type")) {
		// Another type is another record set: the old one goes in the
		// same batch.
		if del, err := currentRecordDeletion(ctx, r, zone, old); err != nil {
			return nil, err
		} else if del != nil {
			changes = append([]any{del}, changes...)
		}
	}
	if err := changeRecordSets(ctx, r, zone, p.str("Comment"), changes...); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID}, nil
}

func (recordSetProvider) Delete(ctx context.Context, r *resource.Request) error {
	p, _ := coerced(r, route53Kinds)
	zone, err := hostedZoneOf(ctx, r, p)
	if err != nil {
		return ignoreGone(err)
	}
	del, err := currentRecordDeletion(ctx, r, zone, p)
	if err != nil || del == nil {
		return ignoreGone(err)
	}
	return ignoreGone(changeRecordSets(ctx, r, zone, "", del))
}

// recordSetGroupProvider is AWS::Route53::RecordSetGroup: its record
// sets made in one batch, changed in one batch (the ones dropped
// deleted, the others UPSERT), and deleted together. Its physical ID
// and Ref are a generated name.
type recordSetGroupProvider struct{}

func (recordSetGroupProvider) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, route53Kinds)
	zone, err := hostedZoneOf(ctx, r, p)
	if err != nil {
		return nil, err
	}
	var changes []any
	for _, rs := range p.list("RecordSets") {
		changes = append(changes, recordChange("CREATE", props(asMap(rs))))
	}
	if len(changes) > 0 {
		if err := changeRecordSets(ctx, r, zone, p.str("Comment"), changes...); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: physicalName(r, 128)}, nil
}

func (recordSetGroupProvider) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, route53Kinds)
	zone, err := hostedZoneOf(ctx, r, p)
	if err != nil {
		return nil, err
	}
	kept := map[string]bool{}
	var changes []any
	for _, rs := range p.list("RecordSets") {
		rp := props(asMap(rs))
		kept[recordKey(rp)] = true
		changes = append(changes, recordChange("UPSERT", rp))
	}
	for _, rs := range old.list("RecordSets") {
		rp := props(asMap(rs))
		if kept[recordKey(rp)] {
			continue
		}
		del, err := currentRecordDeletion(ctx, r, zone, rp)
		if err != nil {
			return nil, err
		}
		if del != nil {
			changes = append([]any{del}, changes...)
		}
	}
	if len(changes) > 0 {
		if err := changeRecordSets(ctx, r, zone, p.str("Comment"), changes...); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID}, nil
}

func (recordSetGroupProvider) Delete(ctx context.Context, r *resource.Request) error {
	p, _ := coerced(r, route53Kinds)
	zone, err := hostedZoneOf(ctx, r, p)
	if err != nil {
		return ignoreGone(err)
	}
	var changes []any
	for _, rs := range p.list("RecordSets") {
		del, err := currentRecordDeletion(ctx, r, zone, props(asMap(rs)))
		if err != nil {
			return ignoreGone(err)
		}
		if del != nil {
			changes = append(changes, del)
		}
	}
	if len(changes) == 0 {
		return nil
	}
	return ignoreGone(changeRecordSets(ctx, r, zone, "", changes...))
}

// recordKey identifies a record set within a group: its name (without
// a trailing dot, in lower case, "*" as Route 53's "\052"), type and
// set identifier.
func recordKey(p props) string {
	name := strings.ReplaceAll(strings.ToLower(strings.TrimSuffix(p.str("Name"), ".")), "*", `\052`)
	return name + "|" + strings.ToUpper(p.str("Type")) + "|" + p.str("SetIdentifier")
}

// hostedZoneOf is the id of the zone a record set or group names, by
// HostedZoneId or by HostedZoneName.
func hostedZoneOf(ctx context.Context, r *resource.Request, p props) (string, error) {
	if id := p.str("HostedZoneId"); id != "" {
		return strings.TrimPrefix(id, "/hostedzone/"), nil
	}
	name := p.str("HostedZoneName")
	if name == "" {
		return "", fmt.Errorf("one of HostedZoneId and HostedZoneName is required")
	}
	out, err := call(ctx, r, "route53", "ListHostedZonesByName", map[string]any{"DNSName": name, "MaxItems": "100"})
	if err != nil {
		return "", err
	}
	want := strings.ToLower(strings.TrimSuffix(name, ".")) + "."
	var found []string
	zones, _ := out["HostedZones"].([]any)
	for _, z := range zones {
		zm := asMap(z)
		if outStr(zm, "Name") == want {
			found = append(found, strings.TrimPrefix(outStr(zm, "Id"), "/hostedzone/"))
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("no hosted zone found with the name %s", name)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("found %d hosted zones named %s: name the zone by its HostedZoneId", len(found), name)
}

// recordSet is a template's record set as ChangeResourceRecordSets
// takes it.
func recordSet(p props) map[string]any {
	rs := p.pick(map[string]any{}, "Name", "Type", "SetIdentifier", "Weight", "Region", "Failover", "GeoLocation",
		"HealthCheckId", "MultiValueAnswer", "CidrRoutingConfig", "TTL")
	if values := p.list("ResourceRecords"); len(values) > 0 {
		var records []any
		for _, v := range values {
			s, _ := text(v)
			records = append(records, map[string]any{"Value": s})
		}
		rs["ResourceRecords"] = records
	}
	if p.has("AliasTarget") {
		a := p.obj("AliasTarget")
		rs["AliasTarget"] = map[string]any{"DNSName": a.str("DNSName"), "HostedZoneId": a.str("HostedZoneId"),
			"EvaluateTargetHealth": a.flag("EvaluateTargetHealth")}
	}
	return rs
}

func recordChange(action string, p props) map[string]any {
	return map[string]any{"Action": action, "ResourceRecordSet": recordSet(p)}
}

// currentRecordDeletion is the DELETE of the record set the zone holds
// under a template record set's name, type and set identifier, with
// the values it holds (which DELETE must repeat), or nil when the zone
// holds none.
func currentRecordDeletion(ctx context.Context, r *resource.Request, zone string, p props) (map[string]any, error) {
	in := map[string]any{"HostedZoneId": zone, "StartRecordName": p.str("Name"), "StartRecordType": strings.ToUpper(p.str("Type")), "MaxItems": "1"}
	if p.has("SetIdentifier") {
		in["StartRecordIdentifier"] = p.str("SetIdentifier")
	}
	out, err := call(ctx, r, "route53", "ListResourceRecordSets", in)
	if err != nil {
		return nil, err
	}
	sets, _ := out["ResourceRecordSets"].([]any)
	if len(sets) == 0 {
		return nil, nil
	}
	cur := asMap(sets[0])
	if recordKey(props(cur)) != recordKey(p) {
		return nil, nil
	}
	return map[string]any{"Action": "DELETE", "ResourceRecordSet": cur}, nil
}

// changeRecordSets sends one change batch.
func changeRecordSets(ctx context.Context, r *resource.Request, zone, comment string, changes ...any) error {
	batch := map[string]any{"Changes": changes}
	if comment != "" {
		batch["Comment"] = comment
	}
	_, err := call(ctx, r, "route53", "ChangeResourceRecordSets", map[string]any{"HostedZoneId": zone, "ChangeBatch": batch})
	return err
}
