// Command shapegen writes a service's input and output structs (see
// package shape) from AWS's published API model, so that hundreds of
// members carry AWS's exact names, locations, constraints and enums
// without being typed by hand.
//
// The models are botocore's service-2.json files, which Debian's
// python3-botocore installs under /usr/lib/python3/dist-packages/botocore/data.
// Members AWS added after that model's release are declared in an overlay
// file kept beside the service, merged into the model before generating:
//
//	go run ./internal/awsproto/shapegen -service dynamodb -version 2012-08-10 \
//	    -package dynamodb -overlay internal/dynamodb/model_overlay.json \
//	    -out internal/dynamodb/zz_shapes.go -ops all
//
// An overlay shape may also carry "xmlRoot", the root element of a
// restXml output document (S3's ListObjectsV2Output is
// ListBucketResult), which botocore's models leave out; it becomes the
// struct's root tag, a blank field tagged aws:"name=..." (see package
// restxml).
//
// Each service package has a go:generate line with its own arguments. The
// model's documentation is not copied; a generated type says only which
// AWS shape it is.
package main
