// Package jsoncodec converts between JSON documents and shape structs, as
// the awsJson and restJson1 protocols carry them: members by their wire
// names, blobs in base64, timestamps as epoch seconds unless a member says
// otherwise, and only members bound to the body (REST protocols bind the
// rest elsewhere).
//
// Decoding reports a member of the wrong JSON type the way AWS's JSON
// services do ("NUMBER_VALUE cannot be converted to String"), so the
// protocols can answer with a SerializationException.
package jsoncodec
