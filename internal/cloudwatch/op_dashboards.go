package cloudwatch

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// Dashboard limits, as the API reference states them.
const (
	maxDashboardName    = 255  // DashboardName: at most 255 characters
	maxDashboardsPage   = 1000 // ListDashboards returns up to 1000 results on one page
	maxDashboardsDelete = 100  // DeleteDashboards: up to 100 dashboards
)

// dashboard is a stored dashboard: its body as it was put, and when.
type dashboard struct {
	Body     string `json:"body"`
	Modified int64  `json:"modified"`
}

func dashboardPrefix() []byte {
	return keys.AppendString(keys.AppendString(nil, "cloudwatch"), "dashboard")
}

func dashboardKey(name string) []byte { return keys.AppendString(dashboardPrefix(), name) }

// dashboardARN is a dashboard's ARN. Dashboards are global, so it names
// no region.
func (s *Service) dashboardARN(name string) string {
	return "arn:aws:cloudwatch::" + s.account + ":dashboard/" + name
}

// checkDashboardName answers a name outside 1 to 255 letters, digits,
// hyphens and underscores.
func checkDashboardName(name string) error {
	if name == "" || len(name) > maxDashboardName {
		return ErrDashboardInvalidInput.Withf("The value for field DashboardName must be between 1 and %d characters long.", maxDashboardName)
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return ErrDashboardInvalidInput.WithMessage("The value for field DashboardName contains invalid characters. " +
				"It can only contain alphanumerics, dash (-) and underscore (_).")
		}
	}
	return nil
}

// checkDashboardBody validates the body's outline: a JSON object whose
// widgets are a list of objects. What a widget holds is not checked.
// Its findings are worded as AWS words them, each with the path of the
// value it is about.
func checkDashboardBody(body string) error {
	var msgs []DashboardValidationMessage
	add := func(path, msg string) {
		msgs = append(msgs, DashboardValidationMessage{DataPath: ptr(path), Message: ptr(msg)})
	}
	var root any
	d := json.NewDecoder(strings.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&root); err != nil || d.More() {
		add("", "Should be valid JSON")
	} else if obj, ok := root.(map[string]any); !ok {
		add("", "Should be object")
	} else if w, ok := obj["widgets"]; !ok {
		add("", "Should have required property 'widgets'")
	} else if list, ok := w.([]any); !ok {
		add("/widgets", "Should be array")
	} else {
		for i, e := range list {
			if _, ok := e.(map[string]any); !ok {
				add(fmt.Sprintf("/widgets/%d", i), "Should be object")
			}
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	type finding struct {
		DataPath string `json:"dataPath"`
		Message  string `json:"message"`
	}
	list := make([]finding, len(msgs))
	for i, m := range msgs {
		list[i] = finding{*m.DataPath, *m.Message}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(list)
	return ErrDashboardInvalidInput.Withf("The dashboard body is invalid, there are %d validation errors:\n%s",
		len(msgs), strings.TrimSpace(b.String()))
}

func (s *Service) putDashboard(_ context.Context, in *PutDashboardInput) (*PutDashboardOutput, error) {
	if err := checkDashboardName(*in.DashboardName); err != nil {
		return nil, err
	}
	if err := checkDashboardBody(*in.DashboardBody); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(dashboard{Body: *in.DashboardBody, Modified: s.clock.Now().UnixMilli()})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(dashboardKey(*in.DashboardName), raw)
	if err := b.Commit(); err != nil {
		return nil, err
	}
	return &PutDashboardOutput{DashboardValidationMessages: []DashboardValidationMessage{}}, nil
}

// readDashboard returns the named dashboard, or nil.
func (s *Service) readDashboard(name string) (*dashboard, error) {
	raw, err := s.store.Get(dashboardKey(name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

func (s *Service) getDashboard(_ context.Context, in *GetDashboardInput) (*GetDashboardOutput, error) {
	d, err := s.readDashboard(*in.DashboardName)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, ErrDashboardNotFound.Withf("Dashboard %s does not exist", *in.DashboardName)
	}
	return &GetDashboardOutput{DashboardName: in.DashboardName, DashboardArn: ptr(s.dashboardARN(*in.DashboardName)),
		DashboardBody: ptr(d.Body)}, nil
}

func (s *Service) listDashboards(_ context.Context, in *ListDashboardsInput) (*ListDashboardsOutput, error) {
	prefix := dashboardPrefix()
	from := keys.AppendString(append([]byte(nil), prefix...), str(in.DashboardNamePrefix))
	if in.NextToken != nil {
		after, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		if err != nil || !strings.HasPrefix(string(after), str(in.DashboardNamePrefix)) {
			return nil, ErrInvalidNextToken
		}
		from = append(dashboardKey(string(after)), 0)
	}
	it, err := s.store.NewIter(from, keys.PrefixEnd(prefix))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	out := &ListDashboardsOutput{DashboardEntries: []DashboardEntry{}}
	for ok := it.First(); ok; ok = it.Next() {
		vals, err := keys.Decode(it.Key()[len(prefix):])
		if err != nil || len(vals) != 1 {
			continue
		}
		name, _ := vals[0].(string)
		if !strings.HasPrefix(name, str(in.DashboardNamePrefix)) {
			break
		}
		if len(out.DashboardEntries) == maxDashboardsPage {
			out.NextToken = ptr(base64.RawURLEncoding.EncodeToString([]byte(*out.DashboardEntries[maxDashboardsPage-1].DashboardName)))
			break
		}
		var d dashboard
		if json.Unmarshal(it.Value(), &d) != nil {
			continue
		}
		out.DashboardEntries = append(out.DashboardEntries, DashboardEntry{DashboardName: ptr(name), DashboardArn: ptr(s.dashboardARN(name)),
			LastModified: ptr(time.UnixMilli(d.Modified).UTC()), Size: ptr(int64(len(d.Body)))})
	}
	return out, it.Error()
}

// deleteDashboards deletes all the named dashboards, or none when one of
// them does not exist.
func (s *Service) deleteDashboards(_ context.Context, in *DeleteDashboardsInput) (*DeleteDashboardsOutput, error) {
	if len(in.DashboardNames) > maxDashboardsDelete {
		return nil, ErrInvalidParameterValue.Withf("The collection DashboardNames must not have a size greater than %d.", maxDashboardsDelete)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.store.NewBatch()
	defer b.Close()
	for _, n := range in.DashboardNames {
		d, err := s.readDashboard(n)
		if err != nil {
			return nil, err
		}
		if d == nil {
			return nil, ErrDashboardNotFound.Withf("Dashboard %s does not exist", n)
		}
		b.Delete(dashboardKey(n))
	}
	if err := b.Commit(); err != nil {
		return nil, err
	}
	return &DeleteDashboardsOutput{}, nil
}
