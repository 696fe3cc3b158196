// Package ecr is Amazon ECR: its API (awsJson 1.1, target prefix
// AmazonEC2ContainerRegistry_V20150921, signing name ecr) and the
// container registry it fronts, which speaks the OCI Distribution API
// (Docker Registry HTTP API v2) so that docker, containerd and
// go-containerregistry push and pull as they do to ECR.
//
// Addresses: the account's registry is ACCOUNT.dkr.ecr.REGION.localhost
// with the port the request came to, so a repository's repositoryUri is
// ACCOUNT.dkr.ecr.REGION.localhost:PORT/NAME (GetAuthorizationToken's
// proxyEndpoint is that host over http). The edge sends the registry
// requests for that host, for AWS's ACCOUNT.dkr.ecr.REGION.amazonaws.com
// (a client pointed here with a proxy or --resolve), and requests
// without a SigV4 signature on any host to /v2/, /v2/_catalog and the
// registry's routes under it (see RegistryPath). Repository names may
// be nested (team/app). Where the resolver does not answer *.localhost
// names (glibc's does not, without a hosts entry), a client reaches the
// registry at virga's own address, 127.0.0.1:PORT/NAME, as an insecure
// (plain HTTP) registry.
//
// Store layout (tuples, package keys):
//
//	("ecr", "repo", name)          → repository (JSON): settings, tags, policies, image count
//	("ecr", "image", repo, digest) → image (JSON): manifest, media types, size, tags, children, last scan
//	("ecr", "tag", repo, tag)      → digest
//	("ecr", "blob", digest)        → blob (JSON): size and the data id its chunks are under
//	("ecr", "data", id, offset)    → up to chunkSize (1 MiB) of a blob's bytes
//	("ecr", "link", repo, digest)  → "" (the blob is in the repository)
//	("ecr", "use", digest, repo)   → "" (the same, by blob)
//	("ecr", "upload", id)          → upload in progress: repository, size, SHA-256 state
//	("ecr", "authkey")             → the key authorization tokens are signed with
//	("ecr", "scancfg")             → the registry's scanning configuration (JSON)
//
// Blobs are content-addressed and stored once: an upload (the
// registry's POST/PATCH/PUT, or the API's InitiateLayerUpload,
// UploadLayerPart and CompleteLayerUpload) streams its bytes into
// chunks a commit each, with the upload's size and hash state in the
// same commit, so an upload resumes after a restart and what a crash
// leaves is consistent; completing it checks the sha256 digest
// (DIGEST_INVALID, or InvalidLayerException, otherwise) and makes its
// chunks the blob's. A blob is served only in the repositories it was
// pushed to or mounted into (?mount=&from=), and is removed, chunks and
// all, with the last repository that holds it.
//
// Manifests: Docker image manifest v2 schema 2 and manifest list, OCI
// image manifest and image index. A manifest is refused
// (MANIFEST_BLOB_UNKNOWN; LayersNotFoundException or
// ReferencedImagesNotFoundException through PutImage) unless the
// repository holds the blobs (config and layers) or manifests it names.
// PutImage needs the manifest's media type, in its mediaType member or
// in imageManifestMediaType ("Invalid JSON syntax" otherwise, as ECR
// answers); the registry takes it from Content-Type.
// An image's imageSizeInBytes is the sum of its layers' sizes, an
// index's the sum of its manifests'; artifactMediaType is the config's
// media type (or the OCI manifest's artifactType). A tag pushed again
// onto another manifest moves and the old image stays, untagged; in an
// IMMUTABLE repository it is refused (ImageTagAlreadyExistsException,
// TAG_INVALID in the registry). Deleting an image's last tag through
// BatchDeleteImage deletes the image; an image an index in the
// repository names cannot be deleted (ImageReferencedByManifestList).
// As ECR, the registry never creates a repository on push
// (NAME_UNKNOWN).
//
// Authentication: with --auth accept the registry serves every request,
// with or without credentials. Otherwise it wants Basic AWS:PASSWORD,
// the password GetAuthorizationToken gives (an expiry and an HMAC under
// the store's key, good for 12 hours), and answers 401 with
// WWW-Authenticate: Basic otherwise; GetDownloadUrlForLayer's URL
// carries in its query a token good only for a GET or HEAD of that
// layer in that repository, as ECR's presigned download URL is. virga's
// own clients mint tokens in process (RegistryCredentials: the node
// agent pulling an ECS task's or a Lambda image function's image), and
// Lambda resolves an ImageUri's tag to its digest with ImageDigest
// (lookup.go).
//
// Authorization (--auth iam): a token's permission scope is that of the
// principal that asked for it, as ECR's user guide says; the token
// (EXPIRY.PRINCIPAL.MAC) carries that principal, as the edge identified
// it (user, role session with its session policies, root), inside its
// HMAC. The registry authorizes each request through the IAM authorizer
// (SetAuthorizer), with the repository policy as the resource-based
// policy and IAM's same-account rule, before it looks the repository
// up: GET or HEAD of a manifest is ecr:BatchGetImage, GET of a blob
// ecr:GetDownloadUrlForLayer, HEAD of a blob
// ecr:BatchCheckLayerAvailability, starting or cancelling an upload
// ecr:InitiateLayerUpload, PATCH and GET of one ecr:UploadLayerPart,
// its final PUT ecr:CompleteLayerUpload, PUT of a manifest ecr:PutImage,
// DELETE of one ecr:BatchDeleteImage, tags/list ecr:ListImages; the
// catalog lists the repositories the caller may
// ecr:DescribeRepositories, and a mount (?mount=&from=) needs
// ecr:GetDownloadUrlForLayer on from, else it is an ordinary upload. A
// denial is 403 DENIED with IAM's message ("User: ARN is not authorized
// to perform: ecr:InitiateLayerUpload on resource: REPO_ARN because
// ..."), as ECR answers. A download URL needs nothing more
// (GetDownloadUrlForLayer was authorized when it was made). The tokens
// virga mints for its own pulls act for virga itself and are always
// allowed (AWS pulls for Lambda with Lambda's service principal, which
// the repository policy must allow: with --auth iam Lambda checks that
// at CreateFunction, and AllowLambdaPull adds the statement Lambda
// adds, unless the policy already holds it, and only when it lets Lambda
// read: a policy that denies Lambda explicitly is left as it is and
// CreateFunction is refused; the statement's Sid is made unique within
// the policy), except an ECS task's pulls with
// --auth iam: RoleCredentials mints a token for a session of the
// task's execution role, whose pulls are authorized as any other. A token of the format before
// tokens named their principal (EXPIRY.MAC) is refused with 401 under
// --auth iam (it cannot be authorized: GetAuthorizationToken gives a new
// one) and still accepted otherwise; outside --auth iam nothing is
// authorized. The API's calls (BatchGetImage, PutImage, ...) weigh the
// repository policy too (Service.ResourcePolicy).
//
// Limits (ECR's API model, API reference and service quotas):
// repository names of 2 to 256 characters in the model's pattern; image
// tags of up to 128 characters in the distribution spec's grammar;
// manifests up to 4 MiB; layers up to 52,000 MiB (SIZE_INVALID,
// InvalidLayerPartException); through the API, layer parts of up to 20
// MiB (the model's limit; InitiateLayerUpload announces the quota's 10
// MiB), at least 5 MiB but for the last (LayerPartTooSmallException),
// and 4,200 a layer; 100,000 images per repository
// (LimitExceededException; a quota AWS can raise, fixed here); 50 tags a
// repository, none of a caller's in the aws: namespace
// (InvalidTagParameterException); pages of 100 by default.
//
// Concurrency: Service.mu serializes read-modify-write of repositories,
// images and tags (lifecycle expiry included); an upload's requests are
// serialized by a lock of their own (uploadLocks, kept only while a
// request holds or awaits it), taken before mu
// (finishUpload), and mu is never held across a body read.
// AllowLambdaPull asks its caller's policy evaluation under mu, which
// must therefore not call into ECR.
//
// Lifecycle policies are checked as the user guide describes them
// (rulePriority unique, the any rule last, one untagged rule, tagged
// rules with a tagPrefixList or tagPatternList, imageCountMoreThan or
// sinceImagePushed in days) and applied by Run: when a policy is put,
// after a push to a repository that has one, and every hour of virga's
// clock otherwise (ECR says within 24 hours). All rules are evaluated,
// then applied by priority: an image is expired by one rule at most, an
// image a rule's tags match is never expired by a rule of lower
// priority (it still counts for that rule's imageCountMoreThan), and
// older images go first. GetLifecyclePolicy's lastEvaluatedAt is when
// the policy was last applied.
//
// Image scanning (scan.go, op_scanning.go): StartImageScan, or a push
// to a repository whose scanOnPush is set or that a registry scanning
// rule's filter matches (PutRegistryScanningConfiguration; wildcards
// '*'), scans an image manifest (an index is
// UnsupportedImageTypeException): IN_PROGRESS for two seconds of
// virga's clock, then COMPLETE. virga has no vulnerability database, so
// a scan finds nothing: DescribeImageScanFindings answers an empty
// findings list and findingSeverityCounts, and DescribeImages the same
// imageScanFindingsSummary. As basic scanning, an image is scanned at
// most once in 24 hours (LimitExceededException); an image never
// scanned has no findings (ScanNotFoundException). The image's last
// scan is stored with it, the registry's configuration under ("ecr",
// "scancfg").
//
// Not supported: lifecycle policy previews, the archive storage class
// and its transition action, and sinceImagePulled; repository policies
// are evaluated only with --auth iam, without ECR's own condition keys;
// vulnerability findings (see Image scanning); enhanced scanning (its
// scan type and CONTINUOUS_SCAN rules are stored, and scan as basic
// scanning does); the other operations of the API (registry policy,
// replication, pull-through cache, ...); schema 1
// manifests; converting manifests to the media types BatchGetImage's
// acceptedMediaTypes or a registry Accept header ask for (the manifest
// is answered as stored, as ECR does when it cannot convert); the referrers API; KMS encryption
// (encryptionConfiguration is echoed); blob deletion through the
// registry (ECR refuses it too); removal of a repository's blobs that
// none of its images uses any more (they go when the repository goes);
// and expiry of abandoned uploads (kept until cancelled).
package ecr
