// Package vpcref checks the subnets and security groups other services
// place their resources in (a Lambda function's VpcConfig, a load
// balancer's subnets and groups, an ECS task's awsvpc configuration)
// against EC2's records, with one rule for all: every id names a subnet
// or security group EC2 keeps. Each service answers a missing one in its
// own words, from the NotFoundError Check returns. The Placement Check
// returns carries each subnet's VPC and zone and each group's VPC, from
// which services check what AWS checks of them (ForeignSubnet: subnets
// of two VPCs; ForeignGroup: a group outside the subnets' VPC).
//
// It owns no state and imports no service: EC2 satisfies Network, and
// internal/app hands it to the services that need it.
package vpcref
