package dynamodb

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// CloudWatch Contributor Insights for DynamoDB (DescribeContributorInsights,
// UpdateContributorInsights, ListContributorInsights): a table and each
// of its global secondary indexes have contributor insights on or off,
// kept with the table. Enabling names the CloudWatch rules DynamoDB
// creates, DynamoDBContributorInsights-KIND-RESOURCE-MILLIS, where KIND is
// PKC and PKT (most accessed and most throttled partition keys) and, with
// a sort key, SKC and SKT, and RESOURCE is the table's name or TABLE-INDEX.
// The rules are names only: virga's CloudWatch holds no such rules and
// gathers no top-N data.

// insightsConfig is contributor insights on a table (Index empty) or on
// one of its global secondary indexes.
type insightsConfig struct {
	Index   string `json:"index,omitempty"`
	Enabled bool   `json:"enabled"`
	// Since is when they were last turned on, the time in the rules'
	// names; Updated is when they were last turned on or off.
	Since   time.Time `json:"since,omitzero"`
	Updated time.Time `json:"updated"`
}

// insights is the table's configuration for index ("" for the table),
// the zero value if it has none.
func (t *table) insights(index string) insightsConfig {
	for _, c := range t.Insights {
		if c.Index == index {
			return c
		}
	}
	return insightsConfig{Index: index}
}

// insightsTarget checks that the table has the global secondary index
// named (none: the table itself) and says whether the target has a sort
// key.
func insightsTarget(t *table, index string) (hasSortKey bool, err error) {
	if index == "" {
		return t.Range != "", nil
	}
	for _, g := range t.GSIs {
		if g.Name == index {
			return g.Range != "", nil
		}
	}
	return false, ErrResourceNotFound.Withf("Requested resource not found: Index: %s not found for table: %s", index, t.Name)
}

// insightsRules are the CloudWatch rules' names of enabled contributor
// insights.
func insightsRules(t *table, c insightsConfig, hasSortKey bool) []string {
	resource := t.Name
	if c.Index != "" {
		resource += "-" + c.Index
	}
	kinds := []string{"PKC", "PKT"}
	if hasSortKey {
		kinds = []string{"PKC", "SKC", "PKT", "SKT"}
	}
	rules := make([]string, len(kinds))
	for i, k := range kinds {
		rules[i] = fmt.Sprintf("DynamoDBContributorInsights-%s-%s-%d", k, resource, c.Since.UnixMilli())
	}
	return rules
}

func insightsStatus(c insightsConfig) *ContributorInsightsStatus {
	if c.Enabled {
		return ptr(ContributorInsightsStatus("ENABLED"))
	}
	return ptr(ContributorInsightsStatus("DISABLED"))
}

func (s *Service) describeContributorInsights(ctx context.Context, in *DescribeContributorInsightsInput) (*DescribeContributorInsightsOutput, error) {
	t, err := s.table(*in.TableName)
	if err != nil {
		return nil, err
	}
	index := deref(in.IndexName)
	hasSortKey, err := insightsTarget(t, index)
	if err != nil {
		return nil, err
	}
	c := t.insights(index)
	out := &DescribeContributorInsightsOutput{TableName: ptr(t.Name), IndexName: in.IndexName, ContributorInsightsStatus: insightsStatus(c)}
	if c.Enabled {
		out.ContributorInsightsRuleList = insightsRules(t, c, hasSortKey)
	}
	if !c.Updated.IsZero() {
		out.LastUpdateDateTime = ptr(c.Updated)
	}
	return out, nil
}

// UpdateContributorInsights takes effect at once: it answers ENABLING or
// DISABLING, as DynamoDB does, and DescribeContributorInsights then
// answers ENABLED or DISABLED.
func (s *Service) updateContributorInsights(ctx context.Context, in *UpdateContributorInsightsInput) (*UpdateContributorInsightsOutput, error) {
	action := string(*in.ContributorInsightsAction)
	if action != "ENABLE" && action != "DISABLE" {
		return nil, invalid("1 validation error detected: Value '%s' at 'contributorInsightsAction' failed to satisfy constraint: Member must satisfy enum value set: [ENABLE, DISABLE]", action)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.tables[*in.TableName]
	if cur == nil {
		return nil, tableNotFound(*in.TableName)
	}
	if cur.Status != statusActive {
		return nil, ErrResourceInUse.Withf("Table is being %s: %s", strings.ToLower(cur.Status), cur.Name)
	}
	index := deref(in.IndexName)
	if _, err := insightsTarget(cur, index); err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC()
	c := cur.insights(index)
	enable := action == "ENABLE"
	if enable && !c.Enabled {
		c.Since = now
	}
	c.Enabled, c.Updated = enable, now
	t := cur.clone()
	replaced := false
	for i := range t.Insights {
		if t.Insights[i].Index == index {
			t.Insights[i], replaced = c, true
		}
	}
	if !replaced {
		t.Insights = append(t.Insights, c)
	}
	b := s.store.NewBatch()
	defer b.Close()
	if err := s.saveTable(b, t); err != nil {
		return nil, err
	}
	status := "DISABLING"
	if enable {
		status = "ENABLING"
	}
	return &UpdateContributorInsightsOutput{TableName: ptr(t.Name), IndexName: in.IndexName,
		ContributorInsightsStatus: ptr(ContributorInsightsStatus(status))}, nil
}

// defaultListInsights is ListContributorInsights' page size unless
// MaxResults says.
const defaultListInsights = 100

// ListContributorInsights lists the tables and indexes whose contributor
// insights are on, by table name and then index name (the table first).
// A page ends after MaxResults; its NextToken is the last entry's
// TABLE/INDEX.
func (s *Service) listContributorInsights(ctx context.Context, in *ListContributorInsightsInput) (*ListContributorInsightsOutput, error) {
	size := defaultListInsights
	if in.MaxResults != nil && *in.MaxResults > 0 {
		size = int(*in.MaxResults)
	}
	var tables []*table
	if in.TableName != nil {
		t, err := s.table(*in.TableName)
		if err != nil {
			return nil, err
		}
		tables = []*table{t}
	} else {
		s.mu.RLock()
		for _, t := range s.tables {
			tables = append(tables, t)
		}
		s.mu.RUnlock()
	}
	type entry struct {
		key string
		sum ContributorInsightsSummary
	}
	var entries []entry
	for _, t := range tables {
		for _, c := range t.Insights {
			if _, err := insightsTarget(t, c.Index); err != nil || !c.Enabled {
				continue // a deleted index's, or off
			}
			sum := ContributorInsightsSummary{TableName: ptr(t.Name), ContributorInsightsStatus: insightsStatus(c)}
			if c.Index != "" {
				sum.IndexName = ptr(c.Index)
			}
			entries = append(entries, entry{key: t.Name + "/" + c.Index, sum: sum})
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	out := &ListContributorInsightsOutput{ContributorInsightsSummaries: []ContributorInsightsSummary{}}
	after := deref(in.NextToken)
	for _, e := range entries {
		if after != "" && e.key <= after {
			continue
		}
		if len(out.ContributorInsightsSummaries) == size {
			out.NextToken = ptr(after)
			break
		}
		out.ContributorInsightsSummaries = append(out.ContributorInsightsSummaries, e.sum)
		after = e.key
	}
	return out, nil
}
