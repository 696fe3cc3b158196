// Package ec2 is EC2's VPC resources: VPCs, subnets, security groups
// and their rules, internet gateways, route tables, Elastic IP
// addresses, NAT gateways and their network interfaces, kept in the
// store with AWS's ids and attributes and served
// over EC2's own protocol (see query.EC2). CloudFormation's AWS::EC2::
// providers make them through the same operations.
//
// virga has no VPC networking: functions, containers and load balancers
// reach each other on the host. What this package keeps is a record,
// so that templates and programs that create or look up VPCs, subnets
// and security groups work, and what they read back is what AWS would
// answer. Security group rules are recorded and never enforced; route
// tables route nothing.
//
// Each region has a default VPC (172.31.0.0/16) with a default /20
// subnet in each of the availability zones Fn::GetAZs gives (one list,
// zones.Names, so the two cannot differ), a default
// security group and a main route table to its internet gateway, made
// the first time the API is used, as on a new AWS account. Every VPC
// gets a default security group and a main route table with it.
// ModifySubnetAttribute keeps a subnet's MapPublicIpOnLaunch (virga
// assigns no addresses) and refuses the attributes virga has no use
// for.
//
// Elastic IP addresses come from the documentation range 203.0.113.0/24
// (TEST-NET-3), so none is anyone's real address. A NAT gateway is
// available as soon as it is made (a public one in a VPC without an
// internet gateway attached is "failed", Gateway.NotAttached, holding
// no address; a ClientToken used again answers the gateway it made), with a network interface in its
// subnet (requester-managed, as AWS's are), which keeps the subnet and
// its VPC from being deleted; a deleted gateway gives its address back,
// loses its interface and is described as "deleted" for an hour
// (natKept), as on AWS, by the injected clock.
//
// DescribeNetworkInterfaces also lists the interfaces AWS makes for
// other services' resources, which they report through a function
// registered at wiring time (RegisterInterfaces): a Lambda function's
// Hyperplane ENIs, one per subnet and set of security groups, with an
// id made from them. They are not stored: they are there while a
// function's VpcConfig names them.
//
// Not supported yet: instances, network interfaces of the caller's own
// (CreateNetworkInterface), VPC endpoints, network ACLs, IPv6 blocks,
// pagination (Describe operations answer everything at once).
//
// Service.Subnet and Service.SecurityGroup are its Go API for other
// services (vpcref.Network): the VPC and zone of a subnet, the VPC of a
// group, with which Lambda, ELBv2 and ECS refuse ids EC2 does not keep
// and report the VPC and zones of what they place.
//
// Other services register, at wiring time (internal/app), a User that
// says whether they still place something in a subnet or security
// group: DeleteSubnet and DeleteSecurityGroup ask them and answer
// DependencyViolation for one in use, without EC2 knowing any of them.
//
// Requests in any region see the one region virga is configured with.
//
// Changes hold the service's lock from read to commit, so checks
// (overlapping subnets, duplicate groups, users) see every earlier
// change. Reads (Subnet, SecurityGroup, Describe) never take that lock,
// only the one that makes the default VPC the first time: other
// services call them under their own locks, which EC2's changes take
// through the users. Lock order: EC2's change lock, then another
// service's lock, then EC2's default-VPC lock.
package ec2
