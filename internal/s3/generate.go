package s3

// The operations' inputs and outputs come from AWS's model of S3 (the
// restXml model Debian ships); model_overlay.json adds what AWS
// introduced since (the CRC64NVME checksum, conditional writes, paginated
// ListBuckets) and the root element names of the XML responses, which
// the model leaves out.
//go:generate go run ../awsproto/shapegen -service s3 -version 2006-03-01 -package s3 -overlay model_overlay.json -out zz_shapes.go -no-enums -extra NoSuchKey,NoSuchBucket,NoSuchUpload -ops PutBucketLifecycleConfiguration,GetBucketLifecycleConfiguration,DeleteBucketLifecycle,PutBucketWebsite,GetBucketWebsite,DeleteBucketWebsite,PutPublicAccessBlock,GetPublicAccessBlock,DeletePublicAccessBlock,PutBucketOwnershipControls,GetBucketOwnershipControls,DeleteBucketOwnershipControls,GetBucketPolicyStatus,GetObjectAcl,PutObjectAcl,GetBucketEncryption,PutBucketEncryption,DeleteBucketEncryption,PutBucketNotificationConfiguration,GetBucketNotificationConfiguration,ListObjectVersions,CreateBucket,HeadBucket,DeleteBucket,ListBuckets,GetBucketLocation,GetBucketTagging,PutBucketTagging,DeleteBucketTagging,GetBucketVersioning,PutBucketVersioning,GetBucketAcl,PutBucketAcl,GetBucketPolicy,PutBucketPolicy,DeleteBucketPolicy,GetBucketCors,PutBucketCors,DeleteBucketCors,PutObject,GetObject,HeadObject,DeleteObject,DeleteObjects,CopyObject,ListObjectsV2,ListObjects,GetObjectTagging,PutObjectTagging,DeleteObjectTagging,CreateMultipartUpload,UploadPart,UploadPartCopy,CompleteMultipartUpload,AbortMultipartUpload,ListMultipartUploads,ListParts,GetObjectAttributes
