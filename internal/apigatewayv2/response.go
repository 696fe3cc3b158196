package apigatewayv2

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// How a Lambda proxy integration's result becomes the HTTP response, per
// "Lambda function response format":
//
//   - 2.0: a JSON object with a statusCode is a response: statusCode,
//     headers, multiValueHeaders, cookies (each a Set-Cookie header), body,
//     isBase64Encoded. Any other JSON value is the body of a 200 with
//     Content-Type application/json: a string as its text, anything else
//     as the JSON the function returned.
//   - 1.0: the result must be such a response object (cookies aside).
//
// Anything else (not JSON, a statusCode that is not an HTTP status, a
// body that is not a string, invalid base64) is a malformed response,
// which API Gateway answers with 500.

// errMalformedResponse is a Lambda result API Gateway cannot use.
var errMalformedResponse = errors.New("malformed Lambda proxy response")

// lambdaResponse maps a function's result to the response, for the
// payload format version.
func lambdaResponse(version string, payload []byte) (*response, error) {
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: not JSON: %v", errMalformedResponse, err)
	}
	if d.More() {
		return nil, fmt.Errorf("%w: more than one JSON value", errMalformedResponse)
	}
	obj, isObject := doc.(map[string]any)
	if _, ok := obj["statusCode"]; isObject && ok {
		return structuredResponse(obj, version == "2.0")
	}
	if version != "2.0" {
		return nil, fmt.Errorf("%w: payload format 1.0 needs a statusCode", errMalformedResponse)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	body := bytes.TrimSpace(payload)
	if s, ok := doc.(string); ok {
		body = []byte(s)
	}
	return &response{status: http.StatusOK, header: h, body: body}, nil
}

// structuredResponse reads a response object.
func structuredResponse(obj map[string]any, cookies bool) (*response, error) {
	status, err := statusCode(obj["statusCode"])
	if err != nil {
		return nil, err
	}
	res := &response{status: status, header: http.Header{}}
	if mv, ok := obj["multiValueHeaders"]; ok && mv != nil {
		m, ok := mv.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: multiValueHeaders is not an object", errMalformedResponse)
		}
		for k, v := range m {
			list, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("%w: multiValueHeaders.%s is not a list", errMalformedResponse, k)
			}
			for _, x := range list {
				s, err := scalarString(x)
				if err != nil {
					return nil, fmt.Errorf("%w: multiValueHeaders.%s: %v", errMalformedResponse, k, err)
				}
				res.header.Add(k, s)
			}
		}
	}
	if hv, ok := obj["headers"]; ok && hv != nil {
		m, ok := hv.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: headers is not an object", errMalformedResponse)
		}
		for k, v := range m {
			s, err := scalarString(v)
			if err != nil {
				return nil, fmt.Errorf("%w: headers.%s: %v", errMalformedResponse, k, err)
			}
			res.header.Set(k, s)
		}
	}
	if cv, ok := obj["cookies"]; cookies && ok && cv != nil {
		list, ok := cv.([]any)
		if !ok {
			return nil, fmt.Errorf("%w: cookies is not a list", errMalformedResponse)
		}
		for _, c := range list {
			s, ok := c.(string)
			if !ok {
				return nil, fmt.Errorf("%w: a cookie is not a string", errMalformedResponse)
			}
			res.header.Add("Set-Cookie", s)
		}
	}
	var body string
	switch b := obj["body"].(type) {
	case nil:
	case string:
		body = b
	default:
		return nil, fmt.Errorf("%w: body is not a string", errMalformedResponse)
	}
	encoded := false
	switch e := obj["isBase64Encoded"].(type) {
	case nil:
	case bool:
		encoded = e
	default:
		return nil, fmt.Errorf("%w: isBase64Encoded is not a boolean", errMalformedResponse)
	}
	if encoded {
		raw, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return nil, fmt.Errorf("%w: body is not base64: %v", errMalformedResponse, err)
		}
		res.body = raw
	} else {
		res.body = []byte(body)
	}
	return res, nil
}

// statusCode reads a response's statusCode: an integer HTTP status, or a
// string holding one.
func statusCode(v any) (int, error) {
	var s string
	switch v := v.(type) {
	case json.Number:
		s = v.String()
	case string:
		s = v
	default:
		return 0, fmt.Errorf("%w: statusCode is not a number", errMalformedResponse)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 599 {
		return 0, fmt.Errorf("%w: statusCode %s is not an HTTP status", errMalformedResponse, s)
	}
	return n, nil
}

// scalarString renders a header value: a string, number or boolean.
func scalarString(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case bool:
		return strconv.FormatBool(v), nil
	}
	return "", errors.New("not a string, number or boolean")
}
