// Package sns is Amazon Simple Notification Service over awsQuery
// (Version 2010-03-31): topics, standard and FIFO; subscriptions; and the
// delivery of published messages to SQS queues, Lambda functions and
// HTTP/S endpoints, with filter policies, raw message delivery, delivery
// retries and dead-letter queues.
//
// # What it owns
//
// Topics, subscriptions, FIFO deduplication ids and the HTTP/S outbox, in
// the store under "sns/" (see store.go). It talks to SQS and Lambda in Go
// through the small interfaces Queues and Functions, which internal/app
// wires; it must not import either service (Lambda will import SNS's
// neighbours, and a cycle would follow). Other services publish in Go
// with Service.Publish (internal_api.go).
//
// # Delivery
//
// Publish fans a message out to the confirmed subscriptions whose filter
// policy (package eventpattern, scope MessageAttributes or MessageBody)
// accepts it. Deliveries to SQS and Lambda are made before Publish
// answers; both are durable writes of their own, so an acknowledged
// message is never lost for those subscribers. HTTP/S deliveries are
// stored in an outbox in the same commit and posted in the background by
// Run, retried per the subscription's delivery policy and sent to its
// dead-letter queue after the last failure; a crash loses none of them
// (see publish.go and http_delivery.go). Message shapes follow AWS's
// documented JSON formats (envelope.go), and messages are signed as AWS
// signs them, with an RSA key virga makes once and keeps in the store,
// whose certificate is served at SigningCertURL on virga's endpoint
// (signing.go).
//
// Unsubscribing a confirmed HTTP/S subscription sends the endpoint a
// signed UnsubscribeConfirmation through the same outbox. Its Token (or a
// visit to its SubscribeURL) restores the subscription, with its ARN and
// attributes, through ConfirmSubscription for two days, the life AWS
// gives confirmation tokens; until then the subscription is kept under
// sns/u. A pending subscription's token works for the same two days from
// Subscribe; then, as on AWS, the unconfirmed subscription is gone: its
// token is an invalid parameter, and Run deletes expired pending and
// unsubscribed subscriptions (sweepExpired).
//
// SubscribeURL and UnsubscribeURL point at virga's own endpoint
// (GET /?Action=ConfirmSubscription&TopicArn=...&Token=...), which the
// edge routes to this service by its Action. With --auth sigv4 such an
// unsigned GET is refused by the edge; confirm with a signed
// ConfirmSubscription call instead.
//
// # Invariants
//
// Every change a client is told about is committed before the answer. A
// subscription object is never changed once it is in a topic's table: an
// update replaces it, so that Publish works from a snapshot.
//
// # Locks
//
// Service.mu guards the topic table and each topic's record and
// subscriptions; metadata operations hold it across their store commit.
// topic.publishMu serializes a FIFO topic's publishes and guards its
// deduplication ids and sequence; it is taken before Service.mu, never
// after. outbox.mu guards the outbox's index and is taken last.
// Service.keyMu guards the signing key once read; it is never held while
// another lock is taken, and never taken under Service.mu.
//
// # Not supported yet
//
// Not in the operation table, so the edge answers InvalidAction:
// AddPermission, RemovePermission, the SMS operations
// (CheckIfPhoneNumberIsOptedOut, GetSMSAttributes, SetSMSAttributes,
// ListPhoneNumbersOptedOut, OptInPhoneNumber, the SMS sandbox and
// origination number operations) and the mobile push operations
// (platform applications and endpoints). Topic policies are enforced
// with --auth iam on calls made to the edge (authz.go), and a queue
// subscription's (or dead-letter queue's) policy must then allow
// sns.amazonaws.com sqs:SendMessage for the topic, or the message is
// not delivered to it; so must a function subscription's policy allow
// sns.amazonaws.com lambda:InvokeFunction (Deps.FunctionPermitted); data protection
// policies, KMS keys, tracing and delivery status logging attributes are
// stored and reported but not enforced or acted on. A firehose
// subscription's stream gets each message as one record followed by a
// line break (the notification without its signature, or the message
// alone with RawMessageDelivery); its SubscriptionRoleArn is not checked.
// email, email-json, sms and application subscriptions are recorded
// (pending or confirmed, as AWS leaves them) but nothing is sent to them; a Publish to
// a PhoneNumber is recorded in the store. Message archiving and replay
// (ArchivePolicy) are not implemented. Deliveries are not throttled by
// throttlePolicy.
package sns
