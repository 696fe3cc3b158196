// Package query implements AWS's awsQuery protocol: the operation is the
// Action parameter and its input is a flat set of form (or URL query)
// parameters, "Tags.member.1.Key=k"; the response is XML,
// <ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…,
// and errors are <ErrorResponse><Error><Type/><Code/><Message/></Error>.
package query
