// Package web holds the files virga serves to browsers, embedded in the
// binary so that it runs with nothing beside it.
package web

import "embed"

// Console is the web console's static files under console/: plain HTML,
// CSS and JavaScript with no build step and nothing fetched from
// elsewhere. Package console serves them.
//
//go:embed console
var Console embed.FS
