package ecs

import "github.com/virga/virga/internal/awsproto/apierr"

// Amazon ECS's errors, as its API reference names them.
var (
	ErrClient                  = apierr.New("ClientException", 400, "")
	ErrInvalidParameter        = apierr.New("InvalidParameterException", 400, "")
	ErrClusterNotFound         = apierr.New("ClusterNotFoundException", 400, "Cluster not found.")
	ErrServiceNotFound         = apierr.New("ServiceNotFoundException", 400, "Service not found.")
	ErrServiceNotActive        = apierr.New("ServiceNotActiveException", 400, "Service was not ACTIVE.")
	ErrClusterContainsServices = apierr.New("ClusterContainsServicesException", 400, "The Cluster cannot be deleted while Services are active.")
	ErrClusterContainsTasks    = apierr.New("ClusterContainsTasksException", 400, "The Cluster cannot be deleted while Tasks are active.")
	ErrResourceNotFound        = apierr.New("ResourceNotFoundException", 400, "The specified resource could not be found.")
	ErrUnsupportedFeature      = apierr.New("UnsupportedFeatureException", 400, "")
	ErrLimitExceeded           = apierr.New("LimitExceededException", 400, "")
)

var (
	errTaskDefinitionNotFound = ErrClient.WithMessage("Unable to describe task definition.")
	errTaskDefinitionMissing  = ErrClient.WithMessage("TaskDefinition not found.")
	errTaskDefinitionInactive = ErrClient.WithMessage("TaskDefinition is inactive")
	errTaskNotFound           = ErrInvalidParameter.WithMessage("The referenced task was not found.")
	errServiceScaled          = ErrInvalidParameter.WithMessage("The service cannot be stopped while it is scaled above 0.")
	errServiceNotIdempotent   = ErrInvalidParameter.WithMessage("Creation of service was not idempotent.")
	errFargateNetworkMode     = ErrClient.WithMessage("Fargate only supports network mode ‘awsvpc’.")
)
