package e2e_test

import (
	"encoding/json"
	"testing"

	"github.com/virga/virga/internal/e2e"
)

// configBoto3Script drives Parameter Store and Secrets Manager with
// boto3: a SecureString read both ways, a parameter by path, a secret's
// two versions, and the errors boto3 raises for what is missing.
const configBoto3Script = `
import json, os, boto3
kw = dict(endpoint_url=os.environ["VIRGA_ENDPOINT"], region_name="us-east-1",
          aws_access_key_id="test", aws_secret_access_key="test")
ssm = boto3.client("ssm", **kw)
ssm.put_parameter(Name="/b3/token", Value="t0k", Type="SecureString")
ssm.put_parameter(Name="/b3/list", Value="a,b", Type="StringList")
plain = ssm.get_parameter(Name="/b3/token", WithDecryption=True)["Parameter"]["Value"]
sealed = ssm.get_parameter(Name="/b3/token")["Parameter"]["Value"]
names = [p["Name"] for p in ssm.get_parameters_by_path(Path="/b3")["Parameters"]]
try:
    ssm.get_parameter(Name="/b3/none")
    missing = ""
except ssm.exceptions.ParameterNotFound as e:
    missing = e.response["Error"]["Code"]
sm = boto3.client("secretsmanager", **kw)
sm.create_secret(Name="b3/secret", SecretString="one")
sm.put_secret_value(SecretId="b3/secret", SecretString="two")
cur = sm.get_secret_value(SecretId="b3/secret")["SecretString"]
prev = sm.get_secret_value(SecretId="b3/secret", VersionStage="AWSPREVIOUS")["SecretString"]
try:
    sm.get_secret_value(SecretId="b3/none")
    nosecret = ""
except sm.exceptions.ResourceNotFoundException as e:
    nosecret = e.response["Error"]["Code"]
print(json.dumps({"plain": plain, "sealedDiffers": sealed != plain, "names": names, "missing": missing,
                  "current": cur, "previous": prev, "noSecret": nosecret}))
`

func TestBoto3ParametersAndSecrets(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	out := env.Boto3(t, configBoto3Script)
	var got struct {
		Plain, Missing, Current, Previous, NoSecret string
		SealedDiffers                               bool
		Names                                       []string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Plain != "t0k" || !got.SealedDiffers || len(got.Names) != 2 || got.Missing != "ParameterNotFound" ||
		got.Current != "two" || got.Previous != "one" || got.NoSecret != "ResourceNotFoundException" {
		t.Errorf("boto3 saw %+v", got)
	}
}
