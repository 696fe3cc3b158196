"""Translate one SAM template with AWS's SAM translator (samtranslator).

Reads {"template": {...}, "parameters": {...}} as JSON on stdin and writes
{"template": {...}} or {"error": "..."} as JSON on stdout. The managed
policy names a template may use are mapped to their ARNs from the list
below, so that no IAM call is made. Used by samdiff; not part of the tests.
"""

import json
import os
import sys

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from samtranslator.model.exceptions import InvalidDocumentException  # noqa: E402
from samtranslator.translator.transform import transform  # noqa: E402

MANAGED = [
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaVPCAccessExecutionRole",
    "AWSLambdaRole",
    "AWSLambdaExecute",
    "AWSLambdaDynamoDBExecutionRole",
    "AWSLambdaKinesisExecutionRole",
    "AWSLambdaSQSQueueExecutionRole",
    "AWSXrayWriteOnlyAccess",
    "AWSXRayDaemonWriteAccess",
    "AmazonDynamoDBFullAccess",
    "AmazonDynamoDBReadOnlyAccess",
    "AmazonS3FullAccess",
    "AmazonS3ReadOnlyAccess",
    "AmazonSQSFullAccess",
    "AmazonSNSFullAccess",
    "AmazonKinesisFullAccess",
    "AmazonEventBridgeFullAccess",
    "AWSStepFunctionsFullAccess",
    "CloudWatchLogsFullAccess",
    "CloudWatchFullAccess",
    "SecretsManagerReadWrite",
    "AmazonSSMReadOnlyAccess",
    "AWSLambda_FullAccess",
    "AmazonAPIGatewayInvokeFullAccess",
    "AmazonRekognitionFullAccess",
    "ComprehendFullAccess",
    "AmazonTextractFullAccess",
    "TranslateFullAccess",
    "AmazonBedrockFullAccess",
    "AWSCodeDeployRoleForLambda",
    "AWSCodeDeployRoleForLambdaLimited",
]


def managed_arn(name):
    if name in ("AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole",
                "AWSLambdaRole", "AWSLambdaDynamoDBExecutionRole",
                "AWSLambdaKinesisExecutionRole", "AWSLambdaSQSQueueExecutionRole",
                "AWSCodeDeployRoleForLambda", "AWSCodeDeployRoleForLambdaLimited"):
        return "arn:aws:iam::aws:policy/service-role/" + name
    return "arn:aws:iam::aws:policy/" + name


class StaticPolicies:
    def load(self):
        return {n: managed_arn(n) for n in MANAGED}


def main():
    req = json.load(sys.stdin)
    try:
        out = transform(req["template"], req.get("parameters") or {}, StaticPolicies())
    except InvalidDocumentException as e:
        msgs = [c.message for c in e.causes]
        json.dump({"error": e.message + " " + " ".join(msgs)}, sys.stdout)
        return
    except Exception as e:  # noqa: BLE001 - report any failure as text
        json.dump({"error": "%s: %s" % (type(e).__name__, e)}, sys.stdout)
        return
    json.dump({"template": out}, sys.stdout, default=str)


if __name__ == "__main__":
    main()
