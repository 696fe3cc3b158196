package apigateway

import (
	"cmp"
	"maps"
	"slices"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// accountRecords is one kind of the account's own records (client
// certificates, VPC links): kept by id in memory, under Service.mu, and in
// the store under its kind (storage.go). Handlers hold Service.mu while
// they call its methods.
type accountRecords[T any] struct {
	kind     string          // the store's kind, one letter
	notFound string          // NotFoundException's message for an unknown id
	id       func(*T) string // a record's id
	byID     map[string]*T
}

func newAccountRecords[T any](kind, notFound string, id func(*T) string) *accountRecords[T] {
	return &accountRecords[T]{kind: kind, notFound: notFound, id: id, byID: map[string]*T{}}
}

func (t *accountRecords[T]) key(s *Service, id string) []byte {
	return keys.AppendString(rootKey(t.kind, s.account), id)
}

// load reads the account's records of the kind.
func (t *accountRecords[T]) load(s *Service) error {
	return scan(s.store, rootKey(t.kind, s.account), func(v *T) { t.byID[t.id(v)] = v })
}

// taken reports whether a new record may not have id.
func (t *accountRecords[T]) taken(id string) bool { return t.byID[id] != nil }

// get returns a record by id, or NotFoundException.
func (t *accountRecords[T]) get(id string) (*T, error) {
	v := t.byID[id]
	if v == nil {
		return nil, notFound(t.notFound)
	}
	return v, nil
}

// put commits a record, new or changed (a copy: records are replaced,
// never changed in place), and keeps it.
func (t *accountRecords[T]) put(s *Service, v *T) error {
	if err := s.commit(func(b store.Batch) error { return putJSON(b, t.key(s, t.id(v)), v) }); err != nil {
		return err
	}
	t.byID[t.id(v)] = v
	return nil
}

// delete removes a record, or answers NotFoundException.
func (t *accountRecords[T]) delete(s *Service, id string) error {
	if _, err := t.get(id); err != nil {
		return err
	}
	if err := s.commit(func(b store.Batch) error { b.Delete(t.key(s, id)); return nil }); err != nil {
		return err
	}
	delete(t.byID, id)
	return nil
}

// page is one page of the records, by id.
func (t *accountRecords[T]) page(position *string, limit *int32) ([]*T, *string) {
	all := slices.SortedFunc(maps.Values(t.byID), func(x, y *T) int { return cmp.Compare(t.id(x), t.id(y)) })
	return page(all, t.id, position, limit)
}
