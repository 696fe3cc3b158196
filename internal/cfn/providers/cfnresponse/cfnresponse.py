# cfnresponse sends a CloudFormation custom resource's response object to
# the ResponseURL of the request a function was invoked with. virga adds
# it to the package of inline Python code (Code.ZipFile) that imports it,
# as CloudFormation does; it has the API of CloudFormation's module.
import json
import urllib.request

SUCCESS = "SUCCESS"
FAILED = "FAILED"


def send(event, context, responseStatus, responseData, physicalResourceId=None, noEcho=False, reason=None):
    stream = str(getattr(context, "log_stream_name", "") or "")
    body = json.dumps({
        "Status": responseStatus,
        "Reason": reason or "See the details in CloudWatch Log Stream: " + stream,
        "PhysicalResourceId": physicalResourceId or stream,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": noEcho,
        "Data": responseData,
    }).encode("utf-8")
    print("Response body:\n" + body.decode("utf-8"))
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                     headers={"Content-Type": "", "Content-Length": str(len(body))})
    try:
        with urllib.request.urlopen(request) as response:
            print("Status code: " + str(response.status))
    except Exception as e:
        print("send(..) failed executing the PUT request: " + str(e))
