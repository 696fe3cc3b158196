package ses

// The operations' inputs and outputs come from AWS's model of SES's v1
// API (the awsQuery model Debian's python3-botocore ships); enum members
// are plain strings, checked here with SES's own errors.
//go:generate go run ../awsproto/shapegen -service ses -version 2010-12-01 -package ses -out zz_shapes.go -no-enums -ops CreateConfigurationSet,DeleteConfigurationSet,DescribeConfigurationSet,ListConfigurationSets,CreateConfigurationSetEventDestination,DeleteConfigurationSetEventDestination,VerifyEmailIdentity,VerifyEmailAddress,VerifyDomainIdentity,ListIdentities,GetIdentityVerificationAttributes,DeleteIdentity,ListVerifiedEmailAddresses,DeleteVerifiedEmailAddress,SendEmail,SendRawEmail,SendTemplatedEmail,SendBulkTemplatedEmail,CreateTemplate,GetTemplate,UpdateTemplate,DeleteTemplate,ListTemplates,GetSendQuota,GetSendStatistics,GetAccountSendingEnabled,VerifyDomainDkim,GetIdentityDkimAttributes,SetIdentityDkimEnabled,GetIdentityNotificationAttributes,SetIdentityNotificationTopic,SetIdentityFeedbackForwardingEnabled,SetIdentityHeadersInNotificationsEnabled
