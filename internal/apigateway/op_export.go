package apigateway

import (
	"context"
	"strings"

	"github.com/virga/virga/internal/openapi"
)

// getExport writes the API a stage serves, as its deployment snapshot
// holds it, as an OpenAPI 3.0 (oas30) or Swagger 2.0 (swagger) document
// in JSON or YAML (the Accept header). Its parameters' extensions (a
// comma-separated list) add API Gateway's extensions: integrations,
// authorizers, or apigateway for all of them; postman is accepted and
// adds nothing.
func (s *Service) getExport(ctx context.Context, in *GetExportRequest) (*ExportResponse, error) {
	s.mu.RLock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		s.mu.RUnlock()
		return nil, err
	}
	g := st.stages[deref(in.StageName)]
	var d *deployment
	if g != nil {
		d = st.deployments[g.DeploymentID]
	}
	s.mu.RUnlock()
	if d == nil {
		return nil, notFound(msgStageNotFound)
	}
	o := exportOptions{}
	switch deref(in.ExportType) {
	case "oas30":
		o.format = formatOAS30
	case "swagger":
		o.format = formatSwagger
	default:
		return nil, badRequest(msgInvalidExportType, deref(in.ExportType))
	}
	for _, e := range strings.Split(in.Parameters["extensions"], ",") {
		switch strings.TrimSpace(e) {
		case "integrations":
			o.integrations = true
		case "authorizers":
			o.authorizers = true
		case "apigateway":
			o.apigateway = true
		}
	}
	// The document comes as application/octet-stream whatever its
	// format, as API Gateway sends it.
	contentType, ext := "application/octet-stream", "json"
	switch accept := strings.TrimSpace(deref(in.Accepts)); accept {
	case "", "*/*", "application/json":
	case "application/yaml":
		ext = "yaml"
	default:
		return nil, badRequest(msgInvalidExportAccept, accept)
	}
	doc := exportDocument(d.API, d.API.ID+".execute-api."+s.region+".amazonaws.com", g.Name, o)
	body, err := openapi.Encode(doc, ext == "yaml")
	if err != nil {
		return nil, err
	}
	disposition := `attachment; filename="` + deref(in.ExportType) + "_" + d.Created.UTC().Format("2006-01-02T15:04:05Z") + "." + ext + `"`
	return &ExportResponse{ContentType: &contentType, ContentDisposition: &disposition, Body: body}, nil
}
