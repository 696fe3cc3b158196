package paramsecrets

import (
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// The API's two paths; a trailing slash is accepted too.
const (
	pathParameter = "/systemsmanager/parameters/get"
	pathSecret    = "/secretsmanager/get"
)

// call is one request to the extension, as the service call it makes.
type call struct {
	secret bool   // Secrets Manager's GetSecretValue, else SSM's GetParameter
	target string // X-Amz-Target
	body   []byte // the service request, JSON
	key    string // what identifies the answer in the cache
}

var (
	errNotFound   = errors.New("not found")
	errBadRequest = errors.New("bad request")
)

// parseCall reads a request's path and query. errNotFound is a path the
// API does not have; an error wrapping errBadRequest says what is wrong
// with the query.
func parseCall(path, rawQuery string) (call, error) {
	path = strings.TrimSuffix(path, "/")
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return call{}, badRequest("the query string is malformed")
	}
	switch path {
	case pathParameter:
		name := q.Get("name")
		if name == "" {
			return call{}, badRequest("name is required")
		}
		version, label := q.Get("version"), q.Get("label")
		if version != "" && label != "" {
			return call{}, badRequest("name either a version or a label, not both")
		}
		if version != "" {
			name += ":" + version
		} else if label != "" {
			name += ":" + label
		}
		decrypt := false
		if v := q.Get("withDecryption"); v != "" {
			if decrypt, err = strconv.ParseBool(v); err != nil {
				return call{}, badRequest("withDecryption must be true or false")
			}
		}
		body, _ := json.Marshal(struct {
			Name           string
			WithDecryption bool
		}{name, decrypt})
		return call{target: "AmazonSSM.GetParameter", body: body, key: "ssm\x00" + name + "\x00" + strconv.FormatBool(decrypt)}, nil
	case pathSecret:
		id := q.Get("secretId")
		if id == "" {
			return call{}, badRequest("secretId is required")
		}
		versionID, stage := q.Get("versionId"), q.Get("versionStage")
		body, _ := json.Marshal(struct {
			SecretId     string
			VersionId    string `json:",omitempty"`
			VersionStage string `json:",omitempty"`
		}{id, versionID, stage})
		return call{secret: true, target: "secretsmanager.GetSecretValue", body: body,
			key: "secretsmanager\x00" + id + "\x00" + versionID + "\x00" + stage}, nil
	}
	return call{}, errNotFound
}

type requestError struct{ msg string }

func (e *requestError) Error() string { return e.msg }
func (e *requestError) Unwrap() error { return errBadRequest }

func badRequest(msg string) error { return &requestError{msg} }
