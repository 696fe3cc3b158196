package apigatewayv2

// deployment is a deployment compiled for serving: what a stage pointing
// at it answers with. It is built once and only read afterwards.
type deployment struct {
	routes       *routeTable
	integrations map[string]*integrationRecord
	authorizers  map[string]*authorizerRecord
	cors         *corsConfig
	// wsRoutes are a WebSocket API's routes by key.
	wsRoutes map[string]*routeRecord
}

// compile builds the deployment a snapshot describes.
func compile(snap *snapshot) *deployment {
	ws := make(map[string]*routeRecord, len(snap.Routes))
	for _, r := range snap.Routes {
		ws[r.Key] = r
	}
	return &deployment{
		wsRoutes:     ws,
		routes:       newRouteTable(snap.Routes),
		integrations: snap.Integrations,
		authorizers:  snap.Authorizers,
		cors:         snap.Cors,
	}
}
