package query

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/shape"
	"github.com/virga/virga/internal/awsproto/xmlcodec"
)

// Protocol is awsQuery for one service.
type Protocol struct {
	// APIVersion is the service's API version, the Version parameter.
	APIVersion string
	// Namespace is the XML namespace of responses.
	Namespace string
	// PathParam, when set, is the parameter a request addressed to a
	// path other than "/" stands for when it leaves the parameter out:
	// SQS's QueueUrl, since clients may POST to the queue's URL instead
	// of naming it. The parameter gets the request's URL.
	PathParam string
}

var _ awsproto.Protocol = (*Protocol)(nil)

// New returns the awsQuery protocol for a service API version whose
// responses are in the given XML namespace.
func New(apiVersion, namespace string) *Protocol {
	return &Protocol{APIVersion: apiVersion, Namespace: namespace}
}

// Name returns "awsQuery".
func (p *Protocol) Name() string { return "awsQuery" }

// Params returns a request's parameters: the URL query, and the body when
// it is a form. A body that is not a form is an error, unless the URL
// names the Action.
func Params(r *http.Request, body []byte) (url.Values, error) {
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	if r.Method == http.MethodPost && len(body) > 0 {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct != "application/x-www-form-urlencoded" {
			if vals.Get("Action") != "" {
				// The parameters are all in the URL (as an API Gateway
				// integration mapping them to the query string sends
				// them); a body that is not a form carries none.
				return vals, nil
			}
			return nil, fmt.Errorf("unsupported content type %q", ct)
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for k, v := range form {
			vals[k] = append(vals[k], v...)
		}
	}
	return vals, nil
}

// Resolve finds the operation named by the Action parameter, in a body
// inflated first if it is gzip-compressed.
func (p *Protocol) Resolve(c *awsproto.Call) error {
	if err := awsproto.Inflate(c); err != nil {
		return err
	}
	vals, err := Params(c.Request, c.Body)
	if err != nil {
		return apierr.ErrMalformedQueryString.WithMessage(err.Error())
	}
	c.Params = make(map[string]string, len(vals))
	action := vals.Get("Action")
	if action == "" {
		return apierr.ErrMissingAction
	}
	op := c.Service.Operation(action)
	if op == nil {
		return apierr.ErrInvalidAction.Withf("Could not find operation %s for version %s", action, p.APIVersion)
	}
	c.Op = op
	for k, v := range vals {
		if len(v) > 0 {
			c.Params[k] = v[0]
		}
	}
	if path := c.Request.URL.Path; p.PathParam != "" && path != "/" && path != "" {
		if _, ok := c.Params[p.PathParam]; !ok {
			c.Params[p.PathParam] = "http://" + c.Request.Host + path
		}
	}
	return nil
}

// Decode fills in from the parameters Resolve parsed.
func (p *Protocol) Decode(c *awsproto.Call, in any) error {
	return decode(c, in, decoder{params: c.Params, prefixes: map[string]bool{}})
}

// decode fills in from d's parameters.
func decode(c *awsproto.Call, in any, d decoder) error {
	for k := range d.params {
		for i := 0; i < len(k); i++ {
			if k[i] == '.' {
				d.prefixes[k[:i]] = true
			}
		}
	}
	rv := reflect.ValueOf(in).Elem()
	if err := d.structure(rv, shape.Of(rv.Type()), ""); err != nil {
		return c.Service.ValidationError.WithMessage(err.Error())
	}
	return nil
}

// decoder reads a struct out of flat parameters.
type decoder struct {
	params   map[string]string
	prefixes map[string]bool // every proper dotted prefix of a key
	// ec2 names members and lists as the EC2 protocol does: a member
	// by its XML name with its first letter in upper case, a list's
	// entries always flattened ("Filter.1.Value.1").
	ec2 bool
}

// key is the parameter name of member f under prefix.
func (d *decoder) key(prefix string, f *shape.Field) string {
	if d.ec2 {
		return join(prefix, strings.ToUpper(f.XMLName[:1])+f.XMLName[1:])
	}
	return join(prefix, f.XMLName)
}

func (d *decoder) has(key string) bool {
	_, ok := d.params[key]
	return ok || d.prefixes[key]
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func (d *decoder) structure(v reflect.Value, t *shape.Type, prefix string) error {
	for _, f := range t.Fields {
		key := d.key(prefix, f)
		if !d.has(key) {
			// An empty list is sent as "Name=" under the member's own
			// name, which a flattened list's entries do not carry
			// (botocore sends "Entries=" for SQS's flattened
			// SendMessageBatchRequestEntry.N): it is there, and empty.
			if f.Shape.Kind == shape.List && f.Name != f.XMLName && !d.ec2 {
				if s, ok := d.params[join(prefix, f.Name)]; ok && s == "" {
					fv := v.Field(f.Index)
					fv.Set(reflect.MakeSlice(fv.Type(), 0, 0))
				}
			}
			continue
		}
		if err := d.value(v.Field(f.Index), f.Shape, f, key); err != nil {
			return err
		}
	}
	return nil
}

// maxEntries bounds list and map indexes, so "A.member.99999999=x" cannot
// make the decoder loop.
const maxEntries = 10000

func (d *decoder) value(v reflect.Value, t *shape.Type, f *shape.Field, key string) error {
	switch t.Kind {
	case shape.Structure:
		return d.structure(shape.Settable(v), t, key)
	case shape.List:
		base := key
		if !d.ec2 && (f == nil || !f.Flattened) {
			member := "member"
			if f != nil {
				member = f.MemberName
			}
			base = key + "." + member
		}
		s := reflect.MakeSlice(v.Type(), 0, 0)
		for i := 1; i <= maxEntries; i++ {
			ek := base + "." + strconv.Itoa(i)
			if !d.has(ek) {
				break
			}
			e := reflect.New(v.Type().Elem()).Elem()
			if err := d.value(e, t.Elem, nil, ek); err != nil {
				return err
			}
			s = reflect.Append(s, e)
		}
		v.Set(s)
	case shape.Map:
		base := key + ".entry"
		keyName, valueName := "key", "value"
		if f != nil {
			keyName, valueName = f.KeyName, f.ValueName
			if f.Flattened {
				base = key
			}
		}
		m := reflect.MakeMap(v.Type())
		for i := 1; i <= maxEntries; i++ {
			ek := base + "." + strconv.Itoa(i)
			if !d.has(ek) {
				break
			}
			k, ok := d.params[ek+"."+keyName]
			if !ok {
				continue
			}
			e := reflect.New(v.Type().Elem()).Elem()
			if d.has(ek + "." + valueName) {
				if err := d.value(e, t.Elem, nil, ek+"."+valueName); err != nil {
					return err
				}
			}
			m.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), e)
		}
		v.Set(m)
	default:
		s, ok := d.params[key]
		if !ok {
			return nil
		}
		format := shape.ISO8601
		if f != nil && f.TimestampFormat != "" {
			format = f.TimestampFormat
		}
		if err := shape.SetText(shape.Settable(v), t, s, format); err != nil {
			return fmt.Errorf("Value '%s' for parameter %s is invalid. Not a valid %s", s, key, t.Kind)
		}
	}
	return nil
}

// Encode writes <OpResponse><OpResult>…</OpResult><ResponseMetadata>….
func (p *Protocol) Encode(c *awsproto.Call, w http.ResponseWriter, out any) {
	if wantsJSON(c.Request) {
		encodeJSON(c, w, out)
		return
	}
	var b bytes.Buffer
	name := c.Op.Name
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString("<" + name + `Response xmlns="` + p.Namespace + `">`)
	if t := reflect.TypeOf(out); !shape.Of(t).IsEmptyStruct() || exported(t) {
		b.WriteString("<" + name + "Result>")
		xmlcodec.WriteMembers(&b, out)
		b.WriteString("</" + name + "Result>")
	}
	b.WriteString("<ResponseMetadata><RequestId>")
	xmlcodec.Escape(&b, c.RequestID)
	b.WriteString("</RequestId></ResponseMetadata></" + name + "Response>\n")
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(c.Status)
	w.Write(b.Bytes())
}

// exported reports whether an output type is a model shape: an exported
// struct from the service's generated shapes. The result element of a
// model output is written even when it is empty (CloudFormation's
// <ExecuteChangeSetResult/>, which clients look for); an operation the
// model gives no output answers with an unexported empty type and no
// result element, as AWS answers SQS's DeleteQueue.
func exported(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name() != "" && t.Name()[0] >= 'A' && t.Name()[0] <= 'Z'
}

// EncodeError writes <ErrorResponse><Error>…</Error><RequestId>…, or its
// JSON form to a client that asks for JSON.
func (p *Protocol) EncodeError(c *awsproto.Call, w http.ResponseWriter, e *apierr.Error) {
	if wantsJSON(c.Request) {
		encodeJSONError(c, w, e)
		return
	}
	WriteError(w, p.Namespace, c.RequestID, e)
}

// WriteError writes e in the awsQuery error shape. It is shared with code
// that answers before a service is known.
func WriteError(w http.ResponseWriter, namespace, requestID string, e *apierr.Error) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<ErrorResponse`)
	if namespace != "" {
		b.WriteString(` xmlns="` + namespace + `"`)
	}
	b.WriteString(`><Error><Type>`)
	if e.Fault {
		b.WriteString("Receiver")
	} else {
		b.WriteString("Sender")
	}
	b.WriteString("</Type><Code>")
	xmlcodec.Escape(&b, e.CodeForQuery())
	b.WriteString("</Code><Message>")
	xmlcodec.Escape(&b, e.Message)
	b.WriteString("</Message>")
	if e.Details != nil {
		xmlcodec.WriteMembers(&b, e.Details)
	}
	b.WriteString("</Error><RequestId>")
	xmlcodec.Escape(&b, requestID)
	b.WriteString("</RequestId></ErrorResponse>\n")
	writeXML(w, e.Status, "text/xml", e.Headers, &b)
}

// writeXML answers with an XML document b, with the headers given.
func writeXML(w http.ResponseWriter, status int, contentType string, headers map[string]string, b *bytes.Buffer) {
	h := w.Header()
	for k, v := range headers {
		h.Set(k, v)
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// Action returns a query request's Action and Version parameters, so the
// edge can route an unsigned request to the service that has them.
func Action(r *http.Request, body []byte) (action, version string) {
	vals, err := Params(r, body)
	if err != nil {
		return "", ""
	}
	return vals.Get("Action"), vals.Get("Version")
}
