package iam

import (
	"context"
	"errors"
	"strings"
)

// Service-linked roles: roles a service assumes for the account, named
// by IAM after the service (AWSServiceRoleForAutoScaling) under the path
// /aws-service-role/SERVICE/, with a trust policy for the service. They
// are ordinary role records; the path marks them, and DeleteRole
// refuses them as AWS does, DeleteServiceLinkedRole deleting them at
// once (virga's services do not use them, so nothing holds one).

// serviceLinkedPath is the path prefix of service-linked roles.
const serviceLinkedPath = "/aws-service-role/"

// serviceLinkedNames are the services that have service-linked roles,
// by service principal, with the part of the role's name after
// AWSServiceRoleFor, as IAM names them. A service not here is refused.
var serviceLinkedNames = map[string]string{
	"autoscaling.amazonaws.com":                         "AutoScaling",
	"ecs.amazonaws.com":                                 "ECS",
	"elasticloadbalancing.amazonaws.com":                "ElasticLoadBalancing",
	"rds.amazonaws.com":                                 "RDS",
	"eks.amazonaws.com":                                 "AmazonEKS",
	"es.amazonaws.com":                                  "AmazonElasticsearchService",
	"opensearchservice.amazonaws.com":                   "AmazonOpenSearchService",
	"spot.amazonaws.com":                                "EC2Spot",
	"spotfleet.amazonaws.com":                           "EC2SpotFleet",
	"elasticbeanstalk.amazonaws.com":                    "ElasticBeanstalk",
	"ops.apigateway.amazonaws.com":                      "APIGateway",
	"replicator.lambda.amazonaws.com":                   "LambdaReplicator",
	"cloudtrail.amazonaws.com":                          "CloudTrail",
	"config.amazonaws.com":                              "Config",
	"organizations.amazonaws.com":                       "Organizations",
	"support.amazonaws.com":                             "Support",
	"trustedadvisor.amazonaws.com":                      "TrustedAdvisor",
	"guardduty.amazonaws.com":                           "AmazonGuardDuty",
	"ssm.amazonaws.com":                                 "AmazonSSM",
	"ecs.application-autoscaling.amazonaws.com":         "ApplicationAutoScaling_ECSService",
	"dynamodb.application-autoscaling.amazonaws.com":    "ApplicationAutoScaling_DynamoDBTable",
	"lambda.application-autoscaling.amazonaws.com":      "ApplicationAutoScaling_LambdaConcurrency",
	"ec2.application-autoscaling.amazonaws.com":         "ApplicationAutoScaling_EC2SpotFleetRequest",
	"rds.application-autoscaling.amazonaws.com":         "ApplicationAutoScaling_RDSCluster",
	"sagemaker.application-autoscaling.amazonaws.com":   "ApplicationAutoScaling_SageMakerEndpoint",
	"cassandra.application-autoscaling.amazonaws.com":   "ApplicationAutoScaling_CassandraTable",
	"kafka.application-autoscaling.amazonaws.com":       "ApplicationAutoScaling_KafkaCluster",
	"elasticache.application-autoscaling.amazonaws.com": "ApplicationAutoScaling_ElastiCacheRG",
}

func isServiceLinked(r *roleRecord) bool { return strings.HasPrefix(r.Path, serviceLinkedPath) }

func (s *Service) createServiceLinkedRole(ctx context.Context, in *CreateServiceLinkedRoleRequest) (*CreateServiceLinkedRoleResponse, error) {
	service := *in.AWSServiceName
	suffix, ok := serviceLinkedNames[service]
	if !ok {
		return nil, ErrInvalidInput.Withf("Service name %s is not a service that supports service-linked roles.", service)
	}
	name := "AWSServiceRoleFor" + suffix
	if in.CustomSuffix != nil {
		name += "_" + *in.CustomSuffix
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["` + service + `"]},"Action":["sts:AssumeRole"]}]}`
	out, err := s.createRole(ctx, &CreateRoleRequest{RoleName: ptr(name), Path: ptr(serviceLinkedPath + service + "/"),
		AssumeRolePolicyDocument: ptr(trust), Description: in.Description})
	if err != nil {
		if errors.Is(err, ErrEntityAlreadyExists) {
			return nil, ErrInvalidInput.Withf("Service role name %s has been taken in this account, please try a different suffix.", name)
		}
		return nil, err
	}
	return &CreateServiceLinkedRoleResponse{Role: out.Role}, nil
}

func (s *Service) deleteServiceLinkedRole(ctx context.Context, in *DeleteServiceLinkedRoleRequest) (*DeleteServiceLinkedRoleResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.role(*in.RoleName)
	if err != nil {
		return nil, err
	}
	if !isServiceLinked(r) {
		return nil, ErrInvalidInput.Withf("Role %s is not a service-linked role.", r.Name)
	}
	// The role goes with its policies, as IAM's deletion task removes
	// them.
	if err := s.commit(new(change).del(kindRole, r.Name)); err != nil {
		return nil, err
	}
	task := "task" + r.Path + r.Name + "/" + s.ids.UUID()
	return &DeleteServiceLinkedRoleResponse{DeletionTaskId: ptr(task)}, nil
}

// getServiceLinkedRoleDeletionStatus answers SUCCEEDED for the tasks
// DeleteServiceLinkedRole starts, which end before it answers.
func (s *Service) getServiceLinkedRoleDeletionStatus(ctx context.Context, in *GetServiceLinkedRoleDeletionStatusRequest) (*GetServiceLinkedRoleDeletionStatusResponse, error) {
	if !strings.HasPrefix(*in.DeletionTaskId, "task"+serviceLinkedPath) {
		return nil, ErrInvalidInput.Withf("Invalid deletion task id %s.", *in.DeletionTaskId)
	}
	return &GetServiceLinkedRoleDeletionStatusResponse{Status: ptr("SUCCEEDED")}, nil
}
