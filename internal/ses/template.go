package ses

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
)

// EmailTemplate is an email template: a subject, a text part and an HTML part,
// each with {{name}} replacement tags.
type EmailTemplate struct {
	Name, Subject, Text, HTML string
	Created                   time.Time
}

func (r *templateRecord) template() EmailTemplate {
	return EmailTemplate{Name: r.Name, Subject: r.Subject, Text: r.Text, HTML: r.HTML, Created: time.UnixMilli(r.Created)}
}

// CreateTemplate stores a new template; ErrAlreadyExists when one has the
// name.
func (s *Service) CreateTemplate(t EmailTemplate) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.templates[t.Name] != nil {
		return ErrAlreadyExists.Withf("Template %s already exists.", t.Name)
	}
	r := &templateRecord{Name: t.Name, Subject: t.Subject, Text: t.Text, HTML: t.HTML, Created: s.clock.Now().UnixMilli()}
	if err := commit(s.store, func(b store.Batch) { b.Set(templateKey(r.Name), mustJSON(r)) }); err != nil {
		return err
	}
	s.templates[r.Name] = r
	return nil
}

// UpdateTemplate replaces a template's parts; TemplateDoesNotExist when
// there is none.
func (s *Service) UpdateTemplate(t EmailTemplate) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.templates[t.Name]
	if old == nil {
		return templateDoesNotExist(t.Name)
	}
	r := &templateRecord{Name: t.Name, Subject: t.Subject, Text: t.Text, HTML: t.HTML, Created: old.Created}
	if err := commit(s.store, func(b store.Batch) { b.Set(templateKey(r.Name), mustJSON(r)) }); err != nil {
		return err
	}
	s.templates[r.Name] = r
	return nil
}

// GetTemplate returns a template; TemplateDoesNotExist when there is
// none.
func (s *Service) GetTemplate(name string) (EmailTemplate, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.templates[name]
	if r == nil {
		return EmailTemplate{}, templateDoesNotExist(name)
	}
	return r.template(), nil
}

// DeleteTemplate deletes a template; deleted is false when there was
// none.
func (s *Service) DeleteTemplate(name string) (deleted bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.templates[name] == nil {
		return false, nil
	}
	if err := commit(s.store, func(b store.Batch) { b.Delete(templateKey(name)) }); err != nil {
		return false, err
	}
	delete(s.templates, name)
	return true, nil
}

// Templates returns every template, in order of name.
func (s *Service) Templates() []EmailTemplate {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]EmailTemplate, 0, len(s.templates))
	for _, name := range sortedKeys(s.templates) {
		out = append(out, s.templates[name].template())
	}
	return out
}

// renderingError is a template that cannot be rendered with its data;
// SES accepts such a message and then does not deliver it, publishing a
// Rendering Failure event instead.
type renderingError struct{ msg string }

func (e *renderingError) Error() string { return e.msg }

// parseTemplateData parses the TemplateData of a send: a JSON object.
func parseTemplateData(data string) (map[string]any, error) {
	if strings.TrimSpace(data) == "" {
		return map[string]any{}, nil
	}
	d := json.NewDecoder(strings.NewReader(data))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil || m == nil {
		return nil, &renderingError{msg: "EmailTemplate data is not a valid JSON object."}
	}
	return m, nil
}

// Render replaces each {{name}} tag in a template part with the value of
// name in data, as SES renders a templated message: a dotted name
// ({{user.name}}) reaches into nested objects, spaces inside the braces
// are ignored, and triple braces ({{{name}}}) work alike. A tag whose
// name the data lacks fails the rendering, as SES's does ("Attribute
// 'name' is not present in the rendering data."); data the template does
// not use is ignored.
func Render(part string, data map[string]any) (string, error) {
	var out strings.Builder
	rest := part
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			out.WriteString(rest)
			return out.String(), nil
		}
		out.WriteString(rest[:i])
		rest = rest[i+2:]
		triple := strings.HasPrefix(rest, "{")
		if triple {
			rest = rest[1:]
		}
		end := strings.Index(rest, "}}")
		if end < 0 {
			return "", &renderingError{msg: "Template is malformed: a tag opened with {{ is not closed."}
		}
		name := strings.TrimSpace(rest[:end])
		rest = rest[end+2:]
		if triple {
			rest = strings.TrimPrefix(rest, "}")
		}
		if name == "" || strings.ContainsAny(name[:1], "#/^>!&") {
			return "", &renderingError{msg: fmt.Sprintf("Template tag {{%s}} is not supported.", name)}
		}
		v, ok := lookup(data, name)
		if !ok {
			return "", &renderingError{msg: fmt.Sprintf("Attribute '%s' is not present in the rendering data.", name)}
		}
		out.WriteString(v)
	}
}

// lookup finds a dotted name in data and returns its value as text.
func lookup(data map[string]any, name string) (string, bool) {
	var v any = data
	for _, part := range strings.Split(name, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		if v, ok = m[part]; !ok {
			return "", false
		}
	}
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	default:
		var b bytes.Buffer
		e := json.NewEncoder(&b)
		e.SetEscapeHTML(false)
		e.Encode(x)
		return strings.TrimSuffix(b.String(), "\n"), true
	}
}

// renderTemplate renders a template's three parts with the data.
func renderTemplate(t EmailTemplate, data map[string]any) (subject, text, html string, err error) {
	if subject, err = Render(t.Subject, data); err != nil {
		return
	}
	if text, err = Render(t.Text, data); err != nil {
		return
	}
	html, err = Render(t.HTML, data)
	return
}

// mergeData overlays a destination's replacement data on the default data
// (SendBulkTemplatedEmail's ReplacementTemplateData over
// DefaultTemplateData).
func mergeData(base, over map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(over))
	keys := make([]string, 0, len(base))
	for k := range base {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out[k] = base[k]
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}
