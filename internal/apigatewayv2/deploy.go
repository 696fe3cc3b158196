package apigatewayv2

// deployment is a deployment compiled for serving: what a stage pointing
// at it answers with. It is built once and only read afterwards.
type deployment struct {
	routes       *routeTable
	integrations map[string]*integrationRecord
	authorizers  map[string]*authorizerRecord
	cors         *corsConfig
}

// compile builds the deployment a snapshot describes.
func compile(snap *snapshot) *deployment {
	return &deployment{
		routes:       newRouteTable(snap.Routes),
		integrations: snap.Integrations,
		authorizers:  snap.Authorizers,
		cors:         snap.Cors,
	}
}
