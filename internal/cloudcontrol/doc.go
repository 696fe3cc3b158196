// Package cloudcontrol is the AWS Cloud Control API (awsJson 1.0, target
// prefix CloudApiService, signing name cloudcontrolapi): reading and
// changing resources by type name and primary identifier, with the
// resource types CloudFormation has providers for (internal/cfn/providers),
// through one mechanism for them all. It is what `cdk deploy --hotswap`
// and `cdk watch` change a stack's state machines, queues, tables, rules
// and APIs through.
//
// # What it owns and what it must not do
//
// It owns the API's requests (their progress events, kept seven days in
// the store, as AWS keeps them, and the ClientTokens they were made
// with), the JSON Patch documents UpdateResource applies (patch.go, RFC
// 6902 over RFC 6901 pointers), and the records of the resources it made
// itself (own.go). It must not call the services itself: every
// provider runs through the Stacks interface, CloudFormation's, which
// runs the type's provider as a stack does (the properties checked,
// dynamic references resolved). For a resource a stack holds, an
// update is recorded in the stack, so that the stack's next update
// starts from it (a deployment of the template the hotswap applied
// updates nothing more there; one of the previous template changes the
// resource back).
//
// # Resources and identifiers
//
// The resources it finds are those live stacks hold, those
// CreateResource made, and, for the types with a read handler
// (resource.Type.Lister: SQS queues, SNS topics, DynamoDB tables,
// Lambda functions, S3 buckets, log groups), those their services have
// that neither holds (made by the services' own APIs, described as the
// properties that would make them), by one lookup over all three
// (held): GetResource, ListResources, UpdateResource and DeleteResource
// treat them alike.
// Its identifier is its physical ID as CloudFormation reports it (a
// queue's URL, a state machine's ARN, a table's name); a compound
// identifier ("RestApiId|StageName") names the resource whose physical
// ID or Ref is one of its parts and whose other parts are values of its
// properties or attributes. GetResource and ListResources show a
// resource's properties as it was last created or updated with (for a
// stack's, dynamic references as written, the stack's tags and its
// aws:cloudformation: tags merged in, as AWS shows them) with its
// attributes (Arn, QueueUrl, ...) beside them as its read-only
// properties.
//
// ListResources of a type whose list handler lists the resources of a
// parent (a function's permissions, an API's stages: listRequires)
// needs the parent's property in ResourceModel, as on AWS
// (InvalidRequestException otherwise), and lists the resources with
// that value.
//
// Resources of the other types made by the services' own APIs, outside
// any stack and this API, are not found (ResourceNotFoundException):
// their providers can create, update and delete, but have no read
// handler to describe what they did not make. Custom resources are no
// registry type
// (TypeNotFoundException); the types with no handlers (a wait
// condition handle) are refused with UnsupportedActionException.
//
// # Requests
//
// CreateResource checks the desired state (InvalidRequestException for
// one that is no JSON object, ValidationException "Model validation
// failed" for one missing a required property), then runs the type's
// provider before it answers, naming a resource whose desired state
// does not name it from the type's last part ("Queue-1T2Y3ZQ4W5V6X"),
// as CloudFormation names one from its logical ID. It answers
// IN_PROGRESS, as AWS does; GetResourceRequestStatus then finds the
// request SUCCESS with the resource's identifier and model, or FAILED
// with the handler's error code (AlreadyExists for a name in use) and
// message. DeleteResource runs the provider's delete alike. Deleting a
// stack's resource leaves it in the stack's resources, as on AWS (the
// stack has drifted), but this API no longer finds it, and the stack's
// deletion has nothing left to delete there. A ClientToken makes
// CreateResource and DeleteResource idempotent: a repeat answers the
// first request's progress event as it now is; a different request
// with the token is refused with ClientTokenConflictException.
//
// UpdateResource checks the patch (InvalidRequestException for one that
// is no JSON Patch or does not apply; NotUpdatableException for one that
// changes a read-only property or one whose change replaces the resource,
// its createOnlyProperties, in AWS's words; ValidationException for one
// that removes a required property), then runs the provider's update
// before it answers: its progress event is already SUCCESS (with the
// resource's model) or FAILED (with the handler's error code and the
// service's message), and GetResourceRequestStatus and
// ListResourceRequests return it. CancelResourceRequest therefore finds
// every request finished. While an operation runs on the resource's
// stack, or another request changes a resource of the API's own, a
// request that changes it is refused with ResourceConflictException.
//
// Not supported yet: validation of a desired state's properties beyond
// the required ones (an unknown property reaches the provider);
// UpdateResource's ClientToken, TypeVersionId and RoleArn (accepted and
// ignored).
package cloudcontrol
