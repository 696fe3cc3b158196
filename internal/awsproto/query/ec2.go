package query

import (
	"bytes"
	"net/http"
	"reflect"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/shape"
	"github.com/virga/virga/internal/awsproto/xmlcodec"
)

// EC2 is the EC2 protocol, awsQuery's older sibling. Requests are
// awsQuery's (the Action and Version parameters, the input as form
// parameters), but a member's parameter is its XML name with its first
// letter in upper case and a list's entries are always flattened:
// "Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1a2b3c4d". The response
// has no Result wrapper: <ActionResponse xmlns=…><requestId>…</requestId>
// members…</ActionResponse>, and an error is
// <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>.
type EC2 struct {
	// Query resolves requests as awsQuery does.
	Query *Protocol
}

var _ awsproto.Protocol = (*EC2)(nil)

// NewEC2 returns the EC2 protocol for an API version whose responses
// are in the given XML namespace.
func NewEC2(apiVersion, namespace string) *EC2 {
	return &EC2{Query: New(apiVersion, namespace)}
}

// Name returns "ec2".
func (p *EC2) Name() string { return "ec2" }

// Resolve finds the operation named by the Action parameter.
func (p *EC2) Resolve(c *awsproto.Call) error { return p.Query.Resolve(c) }

// Decode fills in from the parameters Resolve parsed, named the EC2 way.
func (p *EC2) Decode(c *awsproto.Call, in any) error {
	return decode(c, in, decoder{params: c.Params, prefixes: map[string]bool{}, ec2: true})
}

// Encode writes <OpResponse><requestId/>members…</OpResponse>. An
// operation whose model has no output answers <return>true</return>,
// as EC2 does.
func (p *EC2) Encode(c *awsproto.Call, w http.ResponseWriter, out any) {
	var b bytes.Buffer
	name := c.Op.Name
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString("<" + name + `Response xmlns="` + p.Query.Namespace + `"><requestId>`)
	xmlcodec.Escape(&b, c.RequestID)
	b.WriteString("</requestId>")
	if t := reflect.TypeOf(out); !shape.Of(t).IsEmptyStruct() || exported(t) {
		xmlcodec.WriteMembers(&b, out)
	} else {
		b.WriteString("<return>true</return>")
	}
	b.WriteString("</" + name + "Response>\n")
	writeXML(w, c.Status, ec2ContentType, nil, &b)
}

// ec2ContentType is the Content-Type of EC2's answers.
const ec2ContentType = "text/xml;charset=UTF-8"

// EncodeError writes <Response><Errors><Error>…</Error></Errors><RequestID>….
func (p *EC2) EncodeError(c *awsproto.Call, w http.ResponseWriter, e *apierr.Error) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString("<Response><Errors><Error><Code>")
	xmlcodec.Escape(&b, e.CodeForQuery())
	b.WriteString("</Code><Message>")
	xmlcodec.Escape(&b, e.Message)
	b.WriteString("</Message></Error></Errors><RequestID>")
	xmlcodec.Escape(&b, c.RequestID)
	b.WriteString("</RequestID></Response>\n")
	writeXML(w, e.Status, ec2ContentType, e.Headers, &b)
}
