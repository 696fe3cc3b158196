// Package eventstream writes AWS's event stream encoding
// (application/vnd.amazon.eventstream), the framing of the APIs that
// answer with a stream of events: Lambda's InvokeWithResponseStream,
// S3's SelectObjectContent, Kinesis's SubscribeToShard.
//
// A message is a prelude, headers, a payload and a checksum:
//
//	total length      uint32, big endian: the whole message, these 4 bytes and the checksum included
//	headers length    uint32, big endian
//	prelude CRC       CRC-32 (IEEE) of the 8 bytes above
//	headers           each: name length (1 byte), name, value type (1 byte), value
//	payload           what is left before the checksum
//	message CRC       CRC-32 (IEEE) of everything before it
//
// Header values here are strings (type 7: a 2-byte big-endian length,
// then the bytes), the only type the event APIs served by virga send:
// :message-type, :event-type and :content-type.
//
// It writes only: virga answers with event streams but reads none.
package eventstream
