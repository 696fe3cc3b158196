package logs

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store/keys"
)

// maxQueryDefinitionsPage is DescribeQueryDefinitions' largest (and
// default) maxResults.
const maxQueryDefinitionsPage = 1000

// queryDef is a saved Logs Insights query definition.
type queryDef struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Query    string   `json:"query"`
	Groups   []string `json:"groups,omitempty"`
	Modified int64    `json:"modified"` // epoch ms
}

func queryDefKey(id string) []byte { return keys.AppendString(base("querydef"), id) }

func queryDefNotFound() error {
	return ErrResourceNotFound.WithMessage("The specified query definition does not exist.")
}

// putQueryDefinition creates a definition, or replaces every field of
// the one queryDefinitionId names: on AWS an update retains none of the
// current values, so an omitted logGroupNames leaves none.
func (s *Service) putQueryDefinition(ctx context.Context, in *PutQueryDefinitionRequest) (*PutQueryDefinitionResponse, error) {
	if err := compileError(*in.QueryString); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := deref(in.QueryDefinitionId)
	if id != "" {
		old, err := getJSON[queryDef](s.store, queryDefKey(id))
		if err != nil {
			return nil, err
		}
		if old == nil {
			return nil, queryDefNotFound()
		}
	} else {
		id = ids.New(nil).UUID()
	}
	d := &queryDef{ID: id, Name: *in.Name, Query: *in.QueryString, Groups: in.LogGroupNames, Modified: s.clock.Now().UnixMilli()}
	b := s.store.NewBatch()
	defer b.Close()
	if err := setJSON(b, queryDefKey(id), d); err != nil {
		return nil, err
	}
	if err := b.Commit(); err != nil {
		return nil, err
	}
	return &PutQueryDefinitionResponse{QueryDefinitionId: ptr(id)}, nil
}

// describeQueryDefinitions lists definitions by name (then id), those
// whose name starts with queryDefinitionNamePrefix; nextToken is the
// place in that order where the next page starts.
func (s *Service) describeQueryDefinitions(ctx context.Context, in *DescribeQueryDefinitionsRequest) (*DescribeQueryDefinitionsResponse, error) {
	p := base("querydef")
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return nil, err
	}
	prefix := deref(in.QueryDefinitionNamePrefix)
	var defs []*queryDef
	for ok := it.First(); ok; ok = it.Next() {
		d := &queryDef{}
		if err := json.Unmarshal(it.Value(), d); err != nil {
			it.Close()
			return nil, err
		}
		if strings.HasPrefix(d.Name, prefix) {
			defs = append(defs, d)
		}
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	sort.Slice(defs, func(i, j int) bool {
		if defs[i].Name != defs[j].Name {
			return defs[i].Name < defs[j].Name
		}
		return defs[i].ID < defs[j].ID
	})
	start, err := offsetToken(in.NextToken, len(defs))
	if err != nil {
		return nil, err
	}
	limit := maxQueryDefinitionsPage
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	out := &DescribeQueryDefinitionsResponse{QueryDefinitions: []QueryDefinition{}}
	for i := start; i < len(defs); i++ {
		if len(out.QueryDefinitions) == limit {
			out.NextToken = ptr(strconv.Itoa(i))
			break
		}
		d := defs[i]
		out.QueryDefinitions = append(out.QueryDefinitions, QueryDefinition{
			QueryDefinitionId: ptr(d.ID), Name: ptr(d.Name), QueryString: ptr(d.Query),
			LastModified: ptr(d.Modified), LogGroupNames: d.Groups,
		})
	}
	return out, nil
}

func (s *Service) deleteQueryDefinition(ctx context.Context, in *DeleteQueryDefinitionRequest) (*DeleteQueryDefinitionResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := queryDefKey(*in.QueryDefinitionId)
	d, err := getJSON[queryDef](s.store, k)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, queryDefNotFound()
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(k)
	if err := b.Commit(); err != nil {
		return nil, err
	}
	return &DeleteQueryDefinitionResponse{Success: ptr(true)}, nil
}
