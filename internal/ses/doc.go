// Package ses is Amazon Simple Email Service: the identities mail is
// sent from, email templates, and a mailbox that keeps every message
// accepted, for developers to read. It serves SES's v1 API (awsQuery,
// version 2010-12-01); package sesv2 serves the v2 API (restJson1,
// /v2/email/...) over the same Service. Both are signed as "ses"; the
// edge sends /v2/email/ requests to v2 by its routes and the rest to v1.
//
// # What differs from AWS, by design
//
//   - Verification succeeds at once. There is no mailbox to click a link
//     in nor DNS to publish a TXT or DKIM record in, so an identity is
//     verified (Success, SUCCESS) as soon as it is created.
//     VerifyDomainIdentity still returns a token of SES's form, the same
//     one each time the domain is verified again. VerifyDomainDkim gives
//     a domain (verifying it, if it was not) three Easy DKIM tokens, kept
//     for the life of the identity, and its DKIM status is Success from
//     then on; an identity without tokens (an address) is NotStarted.
//   - The account is out of the sandbox (production access): any
//     recipient may be sent to, verified or not. The sender is checked as
//     AWS checks it: sending from an address that is not a verified
//     identity, and whose domain is not one, fails with MessageRejected
//     "Email address is not verified. The following identities failed the
//     check in region US-EAST-1: ADDRESS" (the source as given, then its
//     bare address when it carries a display name).
//   - Nothing leaves the machine. An accepted message is stored in the
//     mailbox and counted in the sending statistics as one delivery
//     attempt per recipient; nothing bounces or is complained of.
//     GetSendQuota and GetAccount report -1, "an unlimited quota", for
//     the daily quota and the rate: virga limits neither.
//   - A templated message whose data lacks a tag's attribute is accepted,
//     as SES accepts it, and is not delivered; the mailbox keeps it with
//     status RenderingFailure and SES's reason ("Attribute 'x' is not
//     present in the rendering data.").
//
// # Limits
//
// 50 recipients per message (To, Cc and Bcc together; "Recipient count
// exceeds 50."), 50 destinations per bulk send, raw messages of 10 MB on
// the v1 API and 40 MB on v2.
//
// # The mailbox
//
// virga's internal handler serves it (MailboxPath):
//
//	GET    /_virga/ses/messages[?to=ADDRESS]   the messages, oldest first
//	DELETE /_virga/ses/messages                empties it
//
// Each message carries its id, time, the API that sent it, sender,
// recipients, subject, text and HTML bodies, the whole MIME message
// (raw), and a templated message's template and data. The mailbox keeps
// the most recent DefaultMailboxMessages messages and at most
// DefaultMailboxBytes of them; the oldest go first.
//
// # Templates
//
// Render replaces {{name}} and {{a.b}} tags with the data's values;
// data the template does not use is ignored.
//
// # Invariants and locks
//
// One mutex, Service.mu, guards the identities, the templates, the
// configuration sets and the mailbox's index, and is held across the
// store commits that change them, so that the store and the maps agree. Reading messages takes it only to
// copy the index.
//
// # Configuration sets and events
//
// v1's configuration set operations keep sets and their event
// destinations. A send that names a set checks it exists
// (ConfigurationSetDoesNotExist "Configuration set <name> does not
// exist.") and, once the message is accepted, publishes to each enabled
// SNS destination the events it matches, as JSON records in SES's shape
// (eventType, mail with its headers, common headers and tags, and the
// event's object): Send and Delivery for a message accepted, as nothing
// leaves the machine and it is delivered at once, and Rendering Failure
// for a templated message that failed to render. Publishing happens
// before the send answers; a topic that refuses is logged, and the send
// stands. Only SNS destinations are accepted: CloudWatch and Kinesis
// Firehose ones are refused (InvalidSNSDestination), not kept unused.
//
// # Identity notifications
//
// SetIdentityNotificationTopic names, per identity and notification type
// (Bounce, Complaint, Delivery), an SNS topic that must exist; feedback
// forwarding is on until SetIdentityFeedbackForwardingEnabled turns it
// off, which SES allows only while bounces and complaints have topics
// (and a bounce or complaint topic cannot be removed while it is off).
// As nothing bounces or is complained of, only Delivery notifications
// are published: a message accepted from an identity (the address when
// it is one, else its domain) with a Delivery topic publishes SES's
// notification (notificationType, mail, delivery) to it, with the
// message's headers when SetIdentityHeadersInNotificationsEnabled asked
// for them.
//
// # Not supported
//
// v2's configuration-set operations, tracking, delivery and reputation
// options of configuration sets, receipt rules, custom verification
// emails, sending authorization policies, MAIL FROM domains, Bring Your
// Own DKIM and DKIM signing of the stored messages, suppression lists,
// contact lists, dedicated IPs, v2's bulk send, TestRenderTemplate,
// Handlebars blocks and helpers in templates ({{#if}}, {{#each}}: a
// template that uses one fails to render), ListEmailIdentities filters
// (refused), tags on v2 identities (accepted and not kept), and
// subdomains sending under a verified parent domain. CloudFormation makes
// AWS::SES::EmailIdentity, AWS::SES::Template and
// AWS::SES::ConfigurationSet (package cfn/providers); their other
// properties are not kept. Every operation not listed in the operation tables answers
// AWS's unknown-operation error.
package ses
