package ses

import "github.com/virga/virga/internal/awsproto"

// operations is SES v1's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "VerifyEmailIdentity", Handler: awsproto.Handle(s.verifyEmailIdentity)},
		{Name: "VerifyEmailAddress", Handler: awsproto.Handle(s.verifyEmailAddress)},
		{Name: "VerifyDomainIdentity", Handler: awsproto.Handle(s.verifyDomainIdentity)},
		{Name: "ListIdentities", Handler: awsproto.Handle(s.listIdentities)},
		{Name: "ListVerifiedEmailAddresses", Handler: awsproto.Handle(s.listVerifiedEmailAddresses)},
		{Name: "GetIdentityVerificationAttributes", Handler: awsproto.Handle(s.getIdentityVerificationAttributes)},
		{Name: "DeleteIdentity", Handler: awsproto.Handle(s.deleteIdentity)},
		{Name: "DeleteVerifiedEmailAddress", Handler: awsproto.Handle(s.deleteVerifiedEmailAddress)},
		{Name: "VerifyDomainDkim", Handler: awsproto.Handle(s.verifyDomainDkim)},
		{Name: "GetIdentityDkimAttributes", Handler: awsproto.Handle(s.getIdentityDkimAttributes)},
		{Name: "SetIdentityDkimEnabled", Handler: awsproto.Handle(s.setIdentityDkimEnabled)},
		{Name: "GetIdentityNotificationAttributes", Handler: awsproto.Handle(s.getIdentityNotificationAttributes)},
		{Name: "SetIdentityNotificationTopic", Handler: awsproto.Handle(s.setIdentityNotificationTopic)},
		{Name: "SetIdentityFeedbackForwardingEnabled", Handler: awsproto.Handle(s.setIdentityFeedbackForwardingEnabled)},
		{Name: "SetIdentityHeadersInNotificationsEnabled", Handler: awsproto.Handle(s.setIdentityHeadersInNotificationsEnabled)},

		{Name: "SendEmail", Handler: awsproto.Handle(s.sendEmail)},
		{Name: "SendRawEmail", Handler: awsproto.Handle(s.sendRawEmail)},
		{Name: "SendTemplatedEmail", Handler: awsproto.Handle(s.sendTemplatedEmail)},
		{Name: "SendBulkTemplatedEmail", Handler: awsproto.Handle(s.sendBulkTemplatedEmail)},

		{Name: "CreateTemplate", Handler: awsproto.Handle(s.createTemplate)},
		{Name: "GetTemplate", Handler: awsproto.Handle(s.getTemplate)},
		{Name: "UpdateTemplate", Handler: awsproto.Handle(s.updateTemplate)},
		{Name: "DeleteTemplate", Handler: awsproto.Handle(s.deleteTemplate)},
		{Name: "ListTemplates", Handler: awsproto.Handle(s.listTemplates)},

		{Name: "CreateConfigurationSet", Handler: awsproto.Handle(s.createConfigurationSet)},
		{Name: "DeleteConfigurationSet", Handler: awsproto.Handle(s.deleteConfigurationSet)},
		{Name: "DescribeConfigurationSet", Handler: awsproto.Handle(s.describeConfigurationSet)},
		{Name: "ListConfigurationSets", Handler: awsproto.Handle(s.listConfigurationSets)},
		{Name: "CreateConfigurationSetEventDestination", Handler: awsproto.Handle(s.createConfigurationSetEventDestination)},
		{Name: "DeleteConfigurationSetEventDestination", Handler: awsproto.Handle(s.deleteConfigurationSetEventDestination)},

		{Name: "GetSendQuota", Handler: awsproto.Handle(s.getSendQuota)},
		{Name: "GetSendStatistics", Handler: awsproto.Handle(s.getSendStatistics)},
		{Name: "GetAccountSendingEnabled", Handler: awsproto.Handle(s.getAccountSendingEnabled)},
	}
}

// noInput and noOutput are the empty inputs and results of operations
// whose model has none.
type (
	noInput  struct{}
	noOutput struct{}
)
