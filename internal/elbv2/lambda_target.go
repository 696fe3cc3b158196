package elbv2

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxLambdaBody is "The maximum size of the request body that you can
// send to a Lambda function is 1 MB" (and of the response body).
const maxLambdaBody = 1 << 20

// lambdaEvent is the event a Lambda target receives, in ALB's format.
type lambdaEvent struct {
	RequestContext struct {
		ELB struct {
			TargetGroupARN string `json:"targetGroupArn"`
		} `json:"elb"`
	} `json:"requestContext"`
	HTTPMethod                      string              `json:"httpMethod"`
	Path                            string              `json:"path"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters,omitempty"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters,omitempty"`
	Headers                         map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders,omitempty"`
	Body                            string              `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

// lambdaResponse is what a Lambda target answers.
type lambdaResponse struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// invokeLambda invokes a Lambda target with the request and answers with
// its response; a function that fails, or answers something that is not
// a response, is a 502.
func (s *Service) invokeLambda(w http.ResponseWriter, r *http.Request, tg *targetGroup, function string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxLambdaBody+1))
	if err != nil {
		errorPage(w, http.StatusBadRequest)
		return
	}
	if len(body) > maxLambdaBody {
		errorPage(w, http.StatusRequestEntityTooLarge)
		return
	}
	multi := tg.Attributes["lambda.multi_value_headers.enabled"] == "true"
	ev := lambdaEvent{HTTPMethod: r.Method, Path: r.URL.Path}
	ev.RequestContext.ELB.TargetGroupARN = tg.ARN
	// Query parameters are passed as the client sent them: the load
	// balancer does not decode them.
	query := rawQuery(r.URL.RawQuery)
	if multi {
		ev.MultiValueQueryStringParameters = map[string][]string{}
		ev.MultiValueHeaders = map[string][]string{}
		for _, kv := range query {
			ev.MultiValueQueryStringParameters[kv[0]] = append(ev.MultiValueQueryStringParameters[kv[0]], kv[1])
		}
		for k, vs := range r.Header {
			ev.MultiValueHeaders[strings.ToLower(k)] = vs
		}
		ev.MultiValueHeaders["host"] = []string{r.Host}
	} else {
		ev.QueryStringParameters = map[string]string{}
		ev.Headers = map[string]string{}
		// Of repeated names, the last value is passed.
		for _, kv := range query {
			ev.QueryStringParameters[kv[0]] = kv[1]
		}
		for k, vs := range r.Header {
			ev.Headers[strings.ToLower(k)] = vs[len(vs)-1]
		}
		ev.Headers["host"] = r.Host
	}
	if utf8.Valid(body) {
		ev.Body = string(body)
	} else {
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	payload, _ := json.Marshal(ev)
	out, fnErr, err := s.functions.InvokeSync(r.Context(), function, payload)
	if err != nil || fnErr != "" {
		errorPage(w, http.StatusBadGateway)
		return
	}
	var res lambdaResponse
	if json.Unmarshal(out, &res) != nil || res.StatusCode < 100 || res.StatusCode > 599 {
		errorPage(w, http.StatusBadGateway)
		return
	}
	respBody := []byte(res.Body)
	if res.IsBase64Encoded {
		if respBody, err = base64.StdEncoding.DecodeString(res.Body); err != nil {
			errorPage(w, http.StatusBadGateway)
			return
		}
	}
	if len(respBody) > maxLambdaBody {
		errorPage(w, http.StatusBadGateway)
		return
	}
	h := w.Header()
	if multi {
		for k, vs := range res.MultiValueHeaders {
			for _, v := range vs {
				h.Add(k, v)
			}
		}
	} else {
		for k, v := range res.Headers {
			h.Set(k, v)
		}
	}
	h.Set("Server", "awselb/2.0")
	h.Set("Content-Length", strconv.Itoa(len(respBody)))
	w.WriteHeader(res.StatusCode)
	w.Write(respBody)
}

// rawQuery splits a query string into its names and values, undecoded.
func rawQuery(q string) [][2]string {
	var out [][2]string
	for _, part := range strings.Split(q, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		out = append(out, [2]string{k, v})
	}
	return out
}
