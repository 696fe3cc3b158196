package cloudcontrol

import (
	"bytes"

	"github.com/virga/virga/internal/cloudformation"
	"github.com/virga/virga/internal/store"
)

// ownPrefix keys the resources CreateResource made, which no stack
// holds, by type and physical ID: "cloudcontrol/o/<type>/<physical ID>".
var ownPrefix = []byte("cloudcontrol/o/")

func ownTypePrefix(typ string) []byte {
	return append(append(bytes.Clone(ownPrefix), typ...), '/')
}

func ownKey(typ, physicalID string) []byte {
	return append(ownTypePrefix(typ), physicalID...)
}

// keepOwn records a resource of the API's own, replacing the record of
// the one it was (an update that changed its physical ID), if any.
func (s *Service) keepOwn(was string, h cloudformation.HeldResource) error {
	return s.write(func(b store.Batch) error {
		if was != "" && was != h.PhysicalID {
			b.Delete(ownKey(h.Type, was))
		}
		return store.SetJSON(b, ownKey(h.Type, h.PhysicalID), h)
	})
}

// dropOwn forgets a resource of the API's own.
func (s *Service) dropOwn(h cloudformation.HeldResource) error {
	return s.write(func(b store.Batch) error {
		b.Delete(ownKey(h.Type, h.PhysicalID))
		return nil
	})
}

// own returns the resources of type typ the API made, by physical ID.
func (s *Service) own(typ string) ([]cloudformation.HeldResource, error) {
	return scan[cloudformation.HeldResource](s.store, ownTypePrefix(typ))
}
