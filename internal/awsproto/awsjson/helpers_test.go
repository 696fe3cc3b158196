package awsjson

import "github.com/virga/virga/internal/awsproto/prototest"

type request = prototest.Request

func ptr[T any](v T) *T { return &v }
