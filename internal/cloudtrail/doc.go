// Package cloudtrail is AWS CloudTrail: trails, their event selectors
// and tags, the event history LookupEvents reads, and the "AWS API Call
// via CloudTrail" events logging trails send to EventBridge.
//
// # Recording
//
// The edge hands every AWS API call it answered to Service.Record once
// the response is written (edge.Options.Recorder). Record runs on the
// request's goroutine and never blocks: it classifies the call with two
// map lookups, drops a data event (S3 object calls, DynamoDB item
// calls, Lambda Invoke, SQS message calls, SNS Publish, Kinesis record
// calls) at once unless a logging trail's selectors may take its
// resource type, and queues anything else for the writer (Run), which
// builds the record: eventVersion, userIdentity (Root, IAMUser or
// AssumedRole, from the signing key as IAM resolved it), eventTime,
// eventSource SERVICE.amazonaws.com, eventName, awsRegion,
// sourceIPAddress, userAgent, requestParameters (the input's scalar
// members; secrets hidden, payloads left out), responseElements (the
// output's scalar members, for successful write calls), errorCode and
// errorMessage, requestID, eventID, readOnly, resources, eventType
// AwsApiCall, managementEvent, recipientAccountId and eventCategory.
// When the queue is full (queueSize) calls are dropped and counted
// rather than slowing requests. readOnly is decided by the operation's
// name (Get, List, Describe, Head, Query, Scan, ...).
//
// Management events go into the event history, whether or not a trail
// logs, as on AWS. The history keeps 90 days and at most 100,000
// events (maxHistory, virga's bound; the oldest go first). Data events
// never enter it. LookupEvents writes what is queued before it reads,
// so a call answered before it is always found; it takes one lookup
// attribute of the eight AWS allows, a time range, and pages newest
// first (50 by default and at most).
//
// While a trail logs, the events its selectors take (basic selectors:
// management events by ReadWriteType, data events by resource type and
// ARN prefix; advanced selectors on eventCategory, readOnly, eventName,
// eventSource, resources.type and resources.ARN) go to the default
// event bus, once each, with source aws.SERVICE and detail-type "AWS API
// Call via CloudTrail", the record as detail; except read-only data
// events. Rules in the ENABLED state match write events only; rules in
// the ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS state read-only
// management events too (package events tells them apart by the
// detail's readOnly and managementEvent). Which trails take a call is
// settled when it is answered, not when the writer reaches it: a call
// still queued when StartLogging answers is not the trail's.
//
// # Log files
//
// Every record a logging trail's selectors take, read-only ones too,
// waits for the trail's next log file: once the oldest has waited five
// minutes by virga's clock (deliverEvery), after 1,000 records, or when
// virga stops, the trail's records are written to its bucket as one
// gzipped {"Records":[...]} object, named as CloudTrail names them:
// [PREFIX/]AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/
// ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz.
// GetTrailStatus reports the latest delivery and its error. Records
// still waiting are lost if virga is killed.
//
// # Public keys
//
// ListPublicKeys answers the region's signing keys (signingkeys.go):
// 2048-bit RSA key pairs, each current for 30 days from the last one's
// end, made when the first call finds none current and kept in the
// store under ("cloudtrail", "k", account). The public key is PKCS#1
// DER and its fingerprint the hexadecimal MD5 of that DER. Without a
// time range the current key alone is answered. virga does not yet sign
// digest files with them (see Not supported).
//
// # Invariants and locks
//
// mu guards the trails and serializes their changes; every change
// republishes active, which Record reads without a lock. writeMu
// serializes the writer (Run, and LookupEvents' flush) and guards the
// history's count and the records waiting for log files. Lock order:
// writeMu, then mu (delivery reads a trail's bucket); writeMu is never
// taken while mu is held. classMu, which serializes additions to the
// cache of operations' classes, and keyMu, which serializes making
// signing keys, are leaves: nothing is taken while one is held.
//
// # Not supported
//
// Trails' SNS notifications and CloudWatch Logs delivery, log file
// validation digests (EnableLogFileValidation is recorded, no digest
// file is written, and GetTrailStatus has no LatestDigestDeliveryTime), KMS encryption of log files, Insights
// (LookupEvents with EventCategory insight answers no events),
// CloudTrail Lake (event data stores, queries, channels, imports),
// organization trails (refused with OperationNotPermittedException),
// and shadow trails of multi-region trails in other regions. Calls the
// services make of one another in process (CloudFormation's resource
// providers, Step Functions' service integrations) do not pass through
// the edge and are not recorded; nor are CloudWatch Logs' PutLogEvents,
// GetLogEvents and FilterLogEvents, X-Ray's segment uploads, or S3's
// CORS preflights. The messages of
// TrailAlreadyExistsException, S3BucketDoesNotExistException and
// InvalidTrailNameException are virga's wording; TrailNotFoundException's
// is AWS's.
package cloudtrail
