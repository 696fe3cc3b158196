package query

import (
	"encoding/json"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/jsoncodec"
	"github.com/virga/virga/internal/awsproto/shape"
)

// awsQuery services answer in JSON a request whose Accept header asks for
// application/json, as API Gateway's AWS integrations do. The document is
// the XML answer's elements as keys, in the form AWS's services write it,
// which mapping templates depend on:
//
//	{"SendMessageResponse":{"ResponseMetadata":{"RequestId":"..."},"SendMessageResult":{"MD5OfMessageAttributes":null,"MD5OfMessageBody":"...","MD5OfMessageSystemAttributes":null,"MessageId":"...","SequenceNumber":null}}}
//	{"ReceiveMessageResponse":{"ReceiveMessageResult":{"messages":null},"ResponseMetadata":{"RequestId":"..."}}}
//	{"Error":{"Code":"...","Message":"...","Type":"Sender"},"RequestId":"..."}
//
//   - keys are in alphabetical order, at every level;
//   - every member of a structure is present, null when it has no value;
//   - a member the XML form flattens into repeated elements (SQS's
//     Messages, QueueUrls) is named in lower camel case ("messages",
//     "queueUrls"); other lists and maps keep their member names (SNS's
//     "Topics", SQS's "Attributes").

func wantsJSON(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "application/json" {
			return true
		}
	}
	return false
}

func encodeJSON(c *awsproto.Call, w http.ResponseWriter, out any) {
	name := c.Op.Name
	meta := jsonMember{key: "ResponseMetadata", raw: []byte(`{"RequestId":` + strconv.Quote(c.RequestID) + `}`)}
	members := []jsonMember{meta}
	// shape.Of looks through the pointer out is.
	if t := reflect.TypeOf(out); !shape.Of(t).IsEmptyStruct() || exported(t) {
		members = append(members, jsonMember{key: name + "Result", raw: appendJSON(nil, reflect.ValueOf(out), shape.Of(t), nil)})
	}
	b := []byte(`{"` + name + `Response":`)
	b = appendMembers(b, members)
	b = append(b, '}')
	writeJSON(w, c.Status, b)
}

func encodeJSONError(c *awsproto.Call, w http.ResponseWriter, e *apierr.Error) {
	typ := "Sender"
	if e.Fault {
		typ = "Receiver"
	}
	// encoding/json writes a map's keys in order.
	doc, _ := json.Marshal(map[string]any{
		"Error":     map[string]string{"Type": typ, "Code": e.CodeForQuery(), "Message": e.Message},
		"RequestId": c.RequestID,
	})
	for k, v := range e.Headers {
		w.Header().Set(k, v)
	}
	writeJSON(w, e.Status, doc)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// jsonMember is a key and its encoded value.
type jsonMember struct {
	key string
	raw []byte
}

// appendMembers writes members as an object, in key order.
func appendMembers(dst []byte, members []jsonMember) []byte {
	slices.SortFunc(members, func(a, b jsonMember) int { return strings.Compare(a.key, b.key) })
	dst = append(dst, '{')
	for i, m := range members {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsoncodec.AppendString(dst, m.key)
		dst = append(dst, ':')
		dst = append(dst, m.raw...)
	}
	return append(dst, '}')
}

// appendJSON writes v, of shape t, in the JSON dialect.
func appendJSON(dst []byte, v reflect.Value, t *shape.Type, f *shape.Field) []byte {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return append(dst, "null"...)
		}
		v = v.Elem()
	}
	switch t.Kind {
	case shape.Structure:
		var members []jsonMember
		for _, mf := range t.Fields {
			if mf.Loc != shape.Body {
				continue
			}
			key := mf.Name
			if mf.Flattened && mf.Shape.Kind == shape.List {
				key = strings.ToLower(key[:1]) + key[1:]
			}
			members = append(members, jsonMember{key: key, raw: appendJSON(nil, v.Field(mf.Index), mf.Shape, mf)})
		}
		return appendMembers(dst, members)
	case shape.List:
		if v.IsNil() {
			return append(dst, "null"...)
		}
		dst = append(dst, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, v.Index(i), t.Elem, nil)
		}
		return append(dst, ']')
	case shape.Map:
		if v.IsNil() {
			return append(dst, "null"...)
		}
		members := make([]jsonMember, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			members = append(members, jsonMember{key: it.Key().String(), raw: appendJSON(nil, it.Value(), t.Elem, nil)})
		}
		return appendMembers(dst, members)
	}
	return jsoncodec.MarshalValue(dst, v, t, f)
}
