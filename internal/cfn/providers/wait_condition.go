package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/ids"
)

func init() {
	resource.Register(&resource.Type{
		Name:       "AWS::CloudFormation::WaitConditionHandle",
		Provider:   waitConditionHandle{},
		Attributes: []string{},
	})
	resource.Register(&resource.Type{
		Name:     "AWS::CloudFormation::WaitCondition",
		Provider: waitCondition{},
		// "Updates aren't supported": CloudFormation leaves a wait
		// condition as it is when its properties change, and does not
		// wait again.
		Replace:    []string{},
		Attributes: []string{"Data"},
	})
}

// WaitHandlePath is where wait condition handles' URLs are served:
// WaitHandlePath + TOKEN, on virga's endpoint.
const WaitHandlePath = "/_virga/cloudformation/wait-condition/"

// Limits of what a handle keeps. AWS stores each signal as an S3 object;
// virga keeps them in memory, and bounds them.
const (
	// maxSignalBody bounds one signal's JSON object.
	maxSignalBody = 64 * 1024
	// maxHandleSignals bounds the distinct UniqueIds one handle keeps;
	// further ones are refused.
	maxHandleSignals = 1000
	// maxHandleToken bounds the token of a handle's path.
	maxHandleToken = 512
)

// WaitHandles are the URLs of AWS::CloudFormation::WaitConditionHandle
// resources: where AWS gives a presigned S3 URL that any number of
// signals are PUT to, virga gives one on its own endpoint, named by a
// random token of 256 bits. Each PUT of a signal object ({"Status":
// "SUCCESS" or "FAILURE", "Reason", "UniqueId", "Data"}) is kept under
// its UniqueId, a later one with the same id replacing the earlier;
// a body that is no such object is refused with a 400 InvalidArgument,
// so that the sender learns of it (S3 would take it, and CloudFormation
// ignore it). A PUT to a
// URL that is not open is refused with 403 AccessDenied. The signals
// live in memory: a handle made before virga restarted takes signals
// again once a wait condition waits on it, and those received before
// the restart are lost.
type WaitHandles struct {
	ids     *ids.Generator
	mu      sync.Mutex
	handles map[string]*waitHandle
}

// waitHandle is one open handle's signals.
type waitHandle struct {
	order   []string
	signals map[string]resource.Signal
}

var _ resource.WaitHandles = (*WaitHandles)(nil)

// NewWaitHandles returns the wait condition handles, with tokens from g.
func NewWaitHandles(g *ids.Generator) *WaitHandles {
	return &WaitHandles{ids: g, handles: map[string]*waitHandle{}}
}

// Open implements resource.WaitHandles.
func (h *WaitHandles) Open() string {
	token := h.ids.Hex(32)
	h.mu.Lock()
	h.handles[token] = &waitHandle{signals: map[string]resource.Signal{}}
	h.mu.Unlock()
	return WaitHandlePath + token
}

// handleToken is the token of a handle's path, or "" when path cannot
// be a handle's.
func handleToken(path string) string {
	token, ok := strings.CutPrefix(path, WaitHandlePath)
	if !ok || token == "" || len(token) > maxHandleToken || strings.ContainsAny(token, "?#") {
		return ""
	}
	return token
}

// Signals implements resource.WaitHandles.
func (h *WaitHandles) Signals(path string) ([]resource.Signal, bool) {
	token := handleToken(path)
	if token == "" {
		return nil, false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	w := h.handles[token]
	if w == nil {
		w = &waitHandle{signals: map[string]resource.Signal{}}
		h.handles[token] = w
	}
	out := make([]resource.Signal, 0, len(w.order))
	for _, id := range w.order {
		out = append(out, w.signals[id])
	}
	return out, true
}

// Close implements resource.WaitHandles.
func (h *WaitHandles) Close(path string) {
	if token := handleToken(path); token != "" {
		h.mu.Lock()
		delete(h.handles, token)
		h.mu.Unlock()
	}
}

// ServeHTTP takes a PUT of a signal to a handle's URL.
func (h *WaitHandles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token := handleToken(r.URL.EscapedPath())
	if !acceptPut(w, r, token, func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.handles[token] != nil
	}) {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSignalBody+1))
	if err != nil {
		s3Error(w, http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
		return
	}
	if len(body) > maxSignalBody {
		s3Error(w, http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
		return
	}
	sig, err := decodeSignal(body)
	if err != nil {
		s3Error(w, http.StatusBadRequest, "InvalidArgument", err.Error())
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	wh := h.handles[token]
	if wh == nil {
		s3Error(w, http.StatusForbidden, "AccessDenied", "Access Denied")
		return
	}
	if _, seen := wh.signals[sig.UniqueID]; !seen {
		if len(wh.order) >= maxHandleSignals {
			s3Error(w, http.StatusBadRequest, "InvalidArgument", fmt.Sprintf("The wait condition handle already holds %d signals.", maxHandleSignals))
			return
		}
		wh.order = append(wh.order, sig.UniqueID)
	}
	wh.signals[sig.UniqueID] = sig
	w.WriteHeader(http.StatusOK)
}

// decodeSignal reads a signal object, as cfn-signal and the
// documentation's curl command send it.
func decodeSignal(body []byte) (resource.Signal, error) {
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return resource.Signal{}, errors.New("A wait condition signal must be a JSON object with Status, Reason, UniqueId and Data.")
	}
	sig := resource.Signal{}
	for k, dst := range map[string]*string{"Status": &sig.Status, "Reason": &sig.Reason, "UniqueId": &sig.UniqueID, "Data": &sig.Data} {
		if v, ok := raw[k]; ok && v != nil {
			if s, ok := v.(string); ok {
				*dst = s
			} else {
				b, _ := json.Marshal(v)
				*dst = string(b)
			}
		}
	}
	if sig.Status != "SUCCESS" && sig.Status != "FAILURE" {
		return resource.Signal{}, errors.New("A wait condition signal's Status must be SUCCESS or FAILURE.")
	}
	return sig, nil
}

// waitConditionHandle is AWS::CloudFormation::WaitConditionHandle: its
// Ref is a handle's URL on virga's endpoint (WaitHandles), which takes
// the signals its wait conditions count. Deleting it retires the URL.
type waitConditionHandle struct{}

func (waitConditionHandle) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	if r.Env == nil || r.Env.WaitHandles == nil {
		return nil, errors.New("wait conditions are not available: the engine has no wait condition handles")
	}
	return &resource.Result{PhysicalID: strings.TrimSuffix(r.Env.Endpoint, "/") + r.Env.WaitHandles.Open(), Attributes: map[string]any{}}, nil
}

func (waitConditionHandle) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (waitConditionHandle) Delete(ctx context.Context, r *resource.Request) error {
	if r.Env != nil && r.Env.WaitHandles != nil {
		if path, ok := handlePath(r.PhysicalID); ok {
			r.Env.WaitHandles.Close(path)
		}
	}
	return nil
}

// handlePath is the path of a handle's URL.
func handlePath(u string) (string, bool) {
	i := strings.Index(u, WaitHandlePath)
	if i < 0 {
		return "", false
	}
	return u[i:], true
}

// maxWaitTimeout is the longest a wait condition waits: "the maximum
// time that can be specified for this property is 12 hours (43200
// seconds)".
const maxWaitTimeout = 43200

// waitPoll is how often a wait condition reads its handle's signals.
const waitPoll = 50 * time.Millisecond

// waitCondition is AWS::CloudFormation::WaitCondition: its Create waits
// until the handle at Handle has received Count SUCCESS signals (1 by
// default), and fails at the first FAILURE signal or when Timeout
// seconds have passed, in CloudFormation's words. Its physical ID and
// Ref are STACKID/LOGICALID, as AWS's, and Data is the JSON object of
// the success signals' UniqueId to Data. A WaitCondition without
// Handle, which waits on a CreationPolicy's signals through
// SignalResource, is refused: virga has no SignalResource.
type waitCondition struct{}

func (waitCondition) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	if !p.has("Handle") {
		return nil, fmt.Errorf("Properties validation failed for resource %s with message: #: required key [Handle] not found (a CreationPolicy's signals need SignalResource, which virga does not have)", r.LogicalID)
	}
	if !p.has("Timeout") {
		return nil, fmt.Errorf("Properties validation failed for resource %s with message: #: required key [Timeout] not found", r.LogicalID)
	}
	timeout, err := strconv.Atoi(strings.TrimSpace(scalarText(p["Timeout"])))
	if err != nil || timeout < 1 || timeout > maxWaitTimeout {
		return nil, fmt.Errorf("Properties validation failed for resource %s with message: #/Timeout: %s is not an integer from 1 to %d", r.LogicalID, scalarText(p["Timeout"]), maxWaitTimeout)
	}
	count := 1
	if p.has("Count") {
		count, err = strconv.Atoi(strings.TrimSpace(scalarText(p["Count"])))
		if err != nil || count < 1 {
			return nil, fmt.Errorf("Properties validation failed for resource %s with message: #/Count: %s is not a positive integer", r.LogicalID, scalarText(p["Count"]))
		}
	}
	path, ok := handlePath(p.str("Handle"))
	if r.Env == nil || r.Env.WaitHandles == nil || !ok {
		return nil, fmt.Errorf("Handle %s is not a wait condition handle's URL", p.str("Handle"))
	}
	id := r.StackID + "/" + r.LogicalID
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()
	for {
		signals, ok := r.Env.WaitHandles.Signals(path)
		if !ok {
			return nil, fmt.Errorf("Handle %s is not a wait condition handle's URL", p.str("Handle"))
		}
		data := map[string]any{}
		for _, s := range signals {
			if s.Status == "FAILURE" {
				return nil, fmt.Errorf("WaitCondition received failed message: '%s' for uniqueId: %s", s.Reason, s.UniqueID)
			}
			data[s.UniqueID] = s.Data
		}
		if len(data) >= count {
			b, _ := json.Marshal(data)
			return &resource.Result{PhysicalID: id, Attributes: map[string]any{"Data": string(b)}}, nil
		}
		select {
		case <-deadline.C:
			return nil, fmt.Errorf("WaitCondition timed out. Received %d conditions when expecting %d", len(data), count)
		default:
		}
		if err := resource.Sleep(ctx, waitPoll); err != nil {
			return nil, err
		}
	}
}

func (waitCondition) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (waitCondition) Delete(ctx context.Context, r *resource.Request) error { return nil }
