package sesv2

// The operations' inputs and outputs come from AWS's model of SES's v2
// API (the restJson1 model Debian's python3-botocore ships); enum members
// are plain strings. model_overlay.json adds the input of the binding AWS
// later gave ListEmailIdentities (POST /v2/email/list-identities, its
// members in the body), which current SDKs call; the model's GET binding
// stays for older clients.
//go:generate go run ../../awsproto/shapegen -service sesv2 -version 2019-09-27 -package sesv2 -overlay model_overlay.json -out zz_shapes.go -no-enums -extra ListEmailIdentitiesBodyRequest -ops CreateEmailIdentity,GetEmailIdentity,ListEmailIdentities,DeleteEmailIdentity,SendEmail,GetAccount,CreateEmailTemplate,GetEmailTemplate,UpdateEmailTemplate,DeleteEmailTemplate,ListEmailTemplates
