package cloudcontrol

// The operations' inputs and outputs come from AWS's model of the Cloud
// Control API as Debian's python3-botocore ships it.
//go:generate go run ../awsproto/shapegen -service cloudcontrol -version 2021-09-30 -package cloudcontrol -out zz_shapes.go -ops GetResource,UpdateResource,CreateResource,DeleteResource,ListResources,GetResourceRequestStatus,ListResourceRequests,CancelResourceRequest
