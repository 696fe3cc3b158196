package ec2

import "github.com/virga/virga/internal/awsproto"

// operations is EC2's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "AllocateAddress", Handler: awsproto.Handle(s.allocateAddress)},
		{Name: "AssociateAddress", Handler: awsproto.Handle(s.associateAddress)},
		{Name: "AssociateRouteTable", Handler: awsproto.Handle(s.associateRouteTable)},
		{Name: "AttachInternetGateway", Handler: awsproto.Handle(s.attachInternetGateway)},
		{Name: "AuthorizeSecurityGroupEgress", Handler: awsproto.Handle(s.authorizeSecurityGroupEgress)},
		{Name: "AuthorizeSecurityGroupIngress", Handler: awsproto.Handle(s.authorizeSecurityGroupIngress)},
		{Name: "CreateInternetGateway", Handler: awsproto.Handle(s.createInternetGateway)},
		{Name: "CreateNatGateway", Handler: awsproto.Handle(s.createNatGateway)},
		{Name: "CreateRoute", Handler: awsproto.Handle(s.createRoute)},
		{Name: "CreateRouteTable", Handler: awsproto.Handle(s.createRouteTable)},
		{Name: "CreateSecurityGroup", Handler: awsproto.Handle(s.createSecurityGroup)},
		{Name: "CreateSubnet", Handler: awsproto.Handle(s.createSubnet)},
		{Name: "ModifySubnetAttribute", Handler: awsproto.Handle(s.modifySubnetAttribute)},
		{Name: "CreateTags", Handler: awsproto.Handle(s.createTags)},
		{Name: "CreateVpc", Handler: awsproto.Handle(s.createVpc)},
		{Name: "DeleteInternetGateway", Handler: awsproto.Handle(s.deleteInternetGateway)},
		{Name: "DeleteNatGateway", Handler: awsproto.Handle(s.deleteNatGateway)},
		{Name: "DeleteRoute", Handler: awsproto.Handle(s.deleteRoute)},
		{Name: "DeleteRouteTable", Handler: awsproto.Handle(s.deleteRouteTable)},
		{Name: "DeleteSecurityGroup", Handler: awsproto.Handle(s.deleteSecurityGroup)},
		{Name: "DeleteSubnet", Handler: awsproto.Handle(s.deleteSubnet)},
		{Name: "DeleteTags", Handler: awsproto.Handle(s.deleteTags)},
		{Name: "DeleteVpc", Handler: awsproto.Handle(s.deleteVpc)},
		{Name: "DescribeAddresses", Handler: awsproto.Handle(s.describeAddresses)},
		{Name: "DescribeAvailabilityZones", Handler: awsproto.Handle(s.describeAvailabilityZones)},
		{Name: "DescribeInternetGateways", Handler: awsproto.Handle(s.describeInternetGateways)},
		{Name: "DescribeNatGateways", Handler: awsproto.Handle(s.describeNatGateways)},
		{Name: "DescribeNetworkInterfaces", Handler: awsproto.Handle(s.describeNetworkInterfaces)},
		{Name: "DescribeRouteTables", Handler: awsproto.Handle(s.describeRouteTables)},
		{Name: "DescribeSecurityGroups", Handler: awsproto.Handle(s.describeSecurityGroups)},
		{Name: "DescribeSubnets", Handler: awsproto.Handle(s.describeSubnets)},
		{Name: "DescribeTags", Handler: awsproto.Handle(s.describeTags)},
		{Name: "DescribeVpcs", Handler: awsproto.Handle(s.describeVpcs)},
		{Name: "DetachInternetGateway", Handler: awsproto.Handle(s.detachInternetGateway)},
		{Name: "DisassociateAddress", Handler: awsproto.Handle(s.disassociateAddress)},
		{Name: "DisassociateRouteTable", Handler: awsproto.Handle(s.disassociateRouteTable)},
		{Name: "ReleaseAddress", Handler: awsproto.Handle(s.releaseAddress)},
		{Name: "RevokeSecurityGroupEgress", Handler: awsproto.Handle(s.revokeSecurityGroupEgress)},
		{Name: "RevokeSecurityGroupIngress", Handler: awsproto.Handle(s.revokeSecurityGroupIngress)},
	}
}
