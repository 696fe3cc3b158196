// Package sesv2 is SES's v2 API (restJson1, /v2/email/...): email
// identities, sending, templates and the account, over the identities,
// templates and mailbox package ses keeps, so that what one API does the
// other sees. Its behaviour, limits and what it does not support are
// documented in package ses; errors of the core are answered under v2's
// codes (BadRequestException, NotFoundException, AlreadyExistsException,
// MessageRejected).
//
// It holds no state of its own and no locks.
package sesv2
