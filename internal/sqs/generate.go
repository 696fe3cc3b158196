package sqs

// The operations' inputs and outputs come from AWS's model of SQS (the
// awsQuery model Debian ships; the same shapes serve awsJson, whose names
// are the members' own); model_overlay.json adds the operations and
// members AWS introduced since. Attribute names are plain strings, checked
// here with SQS's own errors.
//go:generate go run ../awsproto/shapegen -service sqs -version 2012-11-05 -package sqs -overlay model_overlay.json -out zz_shapes.go -ops all -no-enums
