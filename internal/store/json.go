package store

import (
	"encoding/json"
	"errors"
)

// GetJSON reads the JSON value stored under key into a new T. It returns
// nil and no error when the key is absent.
func GetJSON[T any](r Reader, key []byte) (*T, error) {
	raw, err := r.Get(key)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, err
	}
	return v, nil
}

// SetJSON adds the JSON encoding of v under key to b.
func SetJSON(b Batch, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b.Set(key, raw)
	return nil
}
