// Package awsjson implements AWS's awsJson 1.0 and 1.1 protocols: every
// request is a POST to / naming its operation in X-Amz-Target
// ("DynamoDB_20120810.PutItem") with a JSON body; responses are JSON, and
// errors carry their code in the body's __type and in X-Amzn-ErrorType.
package awsjson
