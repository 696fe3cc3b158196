package pipes

import "github.com/virga/virga/internal/awsproto"

// operations is Pipes' operation table, with each operation's REST
// binding from AWS's model. Every operation answers 200.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "CreatePipe", HTTP: "POST /v1/pipes/{Name}", Handler: awsproto.Handle(s.createPipe)},
		{Name: "DescribePipe", HTTP: "GET /v1/pipes/{Name}", Handler: awsproto.Handle(s.describePipe)},
		{Name: "UpdatePipe", HTTP: "PUT /v1/pipes/{Name}", Handler: awsproto.Handle(s.updatePipe)},
		{Name: "DeletePipe", HTTP: "DELETE /v1/pipes/{Name}", Handler: awsproto.Handle(s.deletePipe)},
		{Name: "ListPipes", HTTP: "GET /v1/pipes", Handler: awsproto.Handle(s.listPipes)},
		{Name: "StartPipe", HTTP: "POST /v1/pipes/{Name}/start", Handler: awsproto.Handle(s.startPipe)},
		{Name: "StopPipe", HTTP: "POST /v1/pipes/{Name}/stop", Handler: awsproto.Handle(s.stopPipe)},

		{Name: "TagResource", HTTP: "POST /tags/{resourceArn}", Handler: awsproto.Handle(s.tagResource)},
		{Name: "UntagResource", HTTP: "DELETE /tags/{resourceArn}", Handler: awsproto.Handle(s.untagResource)},
		{Name: "ListTagsForResource", HTTP: "GET /tags/{resourceArn}", Handler: awsproto.Handle(s.listTagsForResource)},
	}
}
