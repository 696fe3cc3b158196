// Command virga is an AWS-compatible serverless and container cloud in one
// binary. `virga up` serves the AWS APIs on 127.0.0.1:4566; other
// subcommands are clients of a running virga.
package main
