package ecs

// The operations' inputs and outputs come from AWS's model of Amazon
// ECS (API version 2014-11-13); model_overlay.json adds
// DeleteTaskDefinitions and the DELETE_IN_PROGRESS task definition
// status, which AWS introduced after the model Debian ships.
//go:generate go run ../awsproto/shapegen -service ecs -version 2014-11-13 -package ecs -overlay model_overlay.json -out zz_shapes.go -ops all -rename Service=ServiceDescription
