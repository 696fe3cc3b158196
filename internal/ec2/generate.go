package ec2

// The operations' inputs and outputs come from AWS's model of EC2.
//go:generate go run ../awsproto/shapegen -service ec2 -version 2016-11-15 -package ec2 -out zz_shapes.go -ops AssociateRouteTable,AttachInternetGateway,CreateInternetGateway,CreateRoute,CreateRouteTable,DeleteInternetGateway,DeleteRoute,DeleteRouteTable,DetachInternetGateway,DisassociateRouteTable,AuthorizeSecurityGroupEgress,AuthorizeSecurityGroupIngress,CreateSecurityGroup,CreateSubnet,CreateTags,CreateVpc,DeleteSecurityGroup,DeleteSubnet,DeleteTags,DeleteVpc,DescribeAvailabilityZones,DescribeInternetGateways,DescribeRouteTables,DescribeSecurityGroups,DescribeSubnets,DescribeTags,DescribeVpcs,ModifySubnetAttribute,RevokeSecurityGroupEgress,RevokeSecurityGroupIngress
