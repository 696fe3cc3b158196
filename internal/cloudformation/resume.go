package cloudformation

import (
	"context"
	"slices"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/cfn/template"
)

// interruptedReason is the status reason of a stack whose operation a
// stop of virga cut short, as the next start takes it up.
const interruptedReason = "The operation was interrupted when virga stopped. "

// resumable reports whether an operation a stop cut short in status is
// taken up again at the next start (Resume): a creation or an update is
// rolled back (or, with rollback disabled, stops failed), and a
// rollback or a deletion goes on. The others (an update's cleanup, a
// stack in review) end as interruptedStatus says.
func resumable(status string) bool {
	switch status {
	case createInProgress, rollbackInProgress, updateInProgress, updateRollbackInProgress, deleteInProgress:
		return true
	}
	return false
}

// Resume takes up the operations a stop cut short, in the background;
// the wiring calls it once virga serves, as the providers reach the
// services (and the services the functions) through it. A custom
// resource whose Create a stop cut short gets the Delete that its
// stack's rollback or deletion owes it, sent anew.
func (s *Service) Resume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.interrupted {
		s.launch(st, func(ctx context.Context) { s.resume(ctx, st) })
	}
	s.interrupted = nil
}

// resume takes up st's operation where the stop left it. The resources
// whose creation or update it cut short fail "Resource creation
// cancelled" or "Resource update cancelled", as a cancellation's do.
func (s *Service) resume(ctx context.Context, st *stack) {
	s.mu.Lock()
	status, set := st.rec.Status, st.rec.settings()
	var stopped []resourceState
	for _, rs := range st.rec.Resources {
		if rs.Status == createInProgress || rs.Status == updateInProgress {
			stopped = append(stopped, *rs)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(stopped, func(a, b resourceState) int { return strings.Compare(a.LogicalID, b.LogicalID) })
	for _, rs := range stopped {
		if rs.Status == createInProgress {
			s.setResource(st, rs.LogicalID, rs.Type, createFailed, "Resource creation cancelled", func(r *resourceState) {
				if t := resource.Lookup(r.Type); r.PhysicalID == "" && t != nil && t.Opaque {
					// Its provider may have been asked already, and
					// the stop (a kill) left no ID: one is made up, so
					// that it gets its Delete.
					r.PhysicalID = st.rec.Name + "-" + r.LogicalID + "-" + strings.ToUpper(s.d.IDs.Hex(7))[:13]
				}
			}, nil)
		} else {
			s.setResource(st, rs.LogicalID, rs.Type, updateFailed, "Resource update cancelled", nil, nil)
		}
	}
	p := s.deployed(ctx, st, set)
	var g *template.Graph
	if p != nil {
		g, _ = p.tmpl.Graph(p.conds)
	}
	switch {
	case status == createInProgress:
		s.createFailed(ctx, st, g, interruptedReason)
	case status == rollbackInProgress:
		s.rollbackCreate(ctx, st, g, interruptedReason)
	case status == updateInProgress && p != nil:
		s.updateFailed(ctx, st, p, interruptedReason)
	case status == updateInProgress, status == updateRollbackInProgress:
		s.rollBack(ctx, st, p, interruptedReason)
	case status == deleteInProgress:
		s.runDelete(ctx, st, nil)
	}
}
