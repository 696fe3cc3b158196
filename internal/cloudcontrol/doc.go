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
// the store, as AWS keeps them) and the JSON Patch documents
// UpdateResource applies (patch.go, RFC 6902 over RFC 6901 pointers). It
// owns no resources: the resources it reads and changes are the ones
// CloudFormation's stacks hold, reached through the Stacks interface,
// whose UpdateResource calls the type's provider as a stack update does
// and records the new properties in the stack, so that the stack's next
// update starts from them (a deployment of the template the hotswap
// applied updates nothing more there; one of the previous template
// changes the resource back). It must not call the services itself.
//
// # Resources and identifiers
//
// A resource is one a live stack holds. Its identifier is its physical ID
// as CloudFormation reports it (a queue's URL, a state machine's ARN, a
// table's name); a compound identifier ("RestApiId|StageName") names the
// resource whose physical ID or Ref is one of its parts and whose other
// parts are values of its properties or attributes. GetResource and
// ListResources show a resource's properties as it was last created or
// updated with (dynamic references as written, the stack's tags and its
// aws:cloudformation: tags merged in, as AWS shows them) with its
// attributes (Arn, QueueUrl, ...) beside them as its read-only
// properties.
//
// Resources made by the services' own APIs, outside any stack, are not
// found (ResourceNotFoundException): the providers can create, update
// and delete, but have no read handler to describe what they did not
// make. Custom resources are no registry type (TypeNotFoundException).
//
// # Requests
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
// stack, UpdateResource is refused with ResourceConflictException.
//
// Not supported yet: CreateResource, DeleteResource (answered as unknown
// operations), ListResources' ResourceModel filter, TypeVersionId and
// RoleArn (accepted and ignored).
package cloudcontrol
