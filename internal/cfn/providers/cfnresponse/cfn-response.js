// cfn-response sends a CloudFormation custom resource's response object
// to the ResponseURL of the request a function was invoked with. virga
// adds it to the package of inline Node.js code (Code.ZipFile) that
// requires it, as CloudFormation does; it has the API of CloudFormation's
// module. send returns a promise that settles once the response is sent,
// for async handlers to await; it calls context.done then, where the
// runtime has one.
'use strict';

const http = require('http');
const https = require('https');

exports.SUCCESS = 'SUCCESS';
exports.FAILED = 'FAILED';

exports.send = function send(event, context, responseStatus, responseData, physicalResourceId, noEcho) {
  const body = JSON.stringify({
    Status: responseStatus,
    Reason: 'See the details in CloudWatch Log Stream: ' + context.logStreamName,
    PhysicalResourceId: physicalResourceId || context.logStreamName,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: noEcho || false,
    Data: responseData,
  });
  console.log('Response body:\n', body);
  const url = new URL(event.ResponseURL);
  const client = url.protocol === 'http:' ? http : https;
  return new Promise((resolve) => {
    const finish = () => {
      if (typeof context.done === 'function') context.done();
      resolve();
    };
    const request = client.request(url, {
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
    }, (response) => {
      console.log('Status code: ' + response.statusCode);
      response.resume();
      response.on('end', finish);
    });
    request.on('error', (err) => {
      console.log('send(..) failed executing the PUT request: ' + err);
      finish();
    });
    request.end(body);
  });
};
