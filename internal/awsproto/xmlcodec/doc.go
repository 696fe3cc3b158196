// Package xmlcodec writes (and reads) shape structs as the awsQuery and
// restXml protocols carry them in XML: a member is an element named by its
// wire name; lists wrap their elements in <member> (or a member's own name)
// unless flattened; maps are <entry><key/><value/></entry> unless
// flattened; timestamps are ISO 8601; blobs are base64.
package xmlcodec
