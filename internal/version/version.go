package version

// Version is virga's version; "dev" in a build without one.
var Version = "dev"
