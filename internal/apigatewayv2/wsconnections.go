package apigatewayv2

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// The @connections API (AWS's ApiGatewayManagementApi): a backend posts
// to a client, reads a connection's details or closes it, at
// /STAGE/@connections/ID on the API's host (or path form). Requests are
// signed with SigV4 for the service execute-api; as for AWS_IAM routes,
// virga wants a signature but does not check it against IAM.
//
//	POST   /STAGE/@connections/ID  PostToConnection: the body goes to the client
//	GET    /STAGE/@connections/ID  GetConnection
//	DELETE /STAGE/@connections/ID  DeleteConnection

// The errors of the @connections API, with the statuses of AWS's model.
const (
	errGone            = "GoneException"            // 410: "The connection with the provided id no longer exists."
	errForbidden       = "ForbiddenException"       // 403
	errPayloadTooLarge = "PayloadTooLargeException" // 413: Data is at most 128 KB
)

// serveConnections answers a call of the @connections API of a stage.
func (s *Service) serveConnections(w http.ResponseWriter, r *http.Request, a *apiRecord, st *stageRecord, escapedID string) {
	id, err := wsConnectionID(escapedID)
	if err != nil {
		writeGatewayError(w, r, http.StatusNotFound)
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		writeManagementError(w, http.StatusForbidden, errForbidden, "Forbidden")
		return
	}
	c := s.ws.get(id)
	if c != nil && (c.apiID != a.ID || c.stage != st.Name) {
		c = nil
	}
	switch r.Method {
	case http.MethodPost:
		data, err := io.ReadAll(io.LimitReader(r.Body, maxMessageSize+1))
		if err != nil {
			writeGatewayError(w, r, http.StatusInternalServerError)
			return
		}
		if len(data) > maxMessageSize {
			writeManagementError(w, http.StatusRequestEntityTooLarge, errPayloadTooLarge, "Message too long")
			return
		}
		if c == nil || c.send(data) != nil {
			writeManagementError(w, http.StatusGone, errGone, "")
			return
		}
		w.WriteHeader(http.StatusOK)
	case http.MethodGet:
		if c == nil {
			writeManagementError(w, http.StatusGone, errGone, "")
			return
		}
		c.mu.Lock()
		last := c.lastActive
		c.mu.Unlock()
		out := map[string]any{
			"connectedAt":  c.connectedAt.UTC().Format(iso8601Millis),
			"identity":     map[string]string{"sourceIp": c.identity.SourceIP, "userAgent": c.identity.UserAgent},
			"lastActiveAt": last.UTC().Format(iso8601Millis),
		}
		b, _ := json.Marshal(out)
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	case http.MethodDelete:
		if c == nil {
			writeManagementError(w, http.StatusGone, errGone, "")
			return
		}
		s.closeConnection(c, closeNormal, "", true)
		w.WriteHeader(http.StatusNoContent)
	default:
		writeGatewayError(w, r, http.StatusNotFound)
	}
}

// iso8601Millis is how the @connections API writes times.
const iso8601Millis = "2006-01-02T15:04:05.000Z07:00"

// writeManagementError answers an @connections call with an error, as
// restJson1 services do: its code in x-amzn-ErrorType, its message in
// the body.
func writeManagementError(w http.ResponseWriter, status int, code, message string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Errortype", code)
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"message": message})
	if message == "" {
		b = []byte("{}")
	}
	w.Write(b)
}
