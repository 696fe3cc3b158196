package apigatewayv2

import (
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// API Gateway's errors, with the codes and statuses of AWS's model. Their
// messages are set where they are returned.
var (
	// ErrBadRequest is returned for input API Gateway will not accept,
	// constraint violations of the model included.
	ErrBadRequest = apierr.New("BadRequestException", 400, "")
	// ErrNotFound is returned for an API, route, integration, stage,
	// deployment or authorizer that does not exist.
	ErrNotFound = apierr.New("NotFoundException", 404, "")
	// ErrConflict is returned for a name or key that is taken, and for
	// deleting what something else still uses.
	ErrConflict = apierr.New("ConflictException", 409, "")
	// ErrNotImplemented is returned by the operations virga does not
	// implement yet (see doc.go).
	ErrNotImplemented = apierr.ErrNotImplemented
)

// badRequest is BadRequestException with a formatted message.
func badRequest(format string, args ...any) error { return ErrBadRequest.Withf(format, args...) }

// apiNotFound is AWS's answer for an API id it does not know, which names
// the account as well as the id.
func (s *Service) apiNotFound(id string) error {
	return ErrNotFound.Withf("Invalid API identifier specified %s:%s", s.account, id)
}

func routeNotFound(id string) error {
	return ErrNotFound.Withf("Invalid Route identifier specified %s", id)
}

func integrationNotFound(id string) error {
	return ErrNotFound.Withf("Invalid Integration identifier specified %s", id)
}

func authorizerNotFound(id string) error {
	return ErrNotFound.Withf("Invalid Authorizer identifier specified %s", id)
}

func deploymentNotFound(id string) error {
	return ErrNotFound.Withf("Invalid Deployment identifier specified %s", id)
}

func stageNotFound(name string) error {
	return ErrNotFound.Withf("Invalid stage identifier specified %s", name)
}

// referencedBy is ConflictException for deleting a resource routes still
// use, worded as AWS words it for integrations.
func referencedBy(kind string, routes []string) error {
	return ErrConflict.Withf("Cannot delete %s because it is referenced by the following Routes with Ids: [%s]",
		kind, strings.Join(routes, ", "))
}
