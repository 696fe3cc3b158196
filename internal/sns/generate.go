package sns

// The operations' inputs and outputs come from AWS's model of SNS (the
// awsQuery model Debian's python3-botocore ships). Attribute names and
// values are plain strings, checked here with SNS's own errors, and enum
// members are plain strings for the same reason.
//go:generate go run ../awsproto/shapegen -service sns -version 2010-03-31 -package sns -out zz_shapes.go -no-enums -ops ConfirmSubscription,CreateTopic,DeleteTopic,GetDataProtectionPolicy,GetSubscriptionAttributes,GetTopicAttributes,ListSubscriptions,ListSubscriptionsByTopic,ListTagsForResource,ListTopics,Publish,PublishBatch,PutDataProtectionPolicy,SetSubscriptionAttributes,SetTopicAttributes,Subscribe,TagResource,Unsubscribe,UntagResource
