// Workaround (docs/real-container.md, "Workarounds"), loaded with NODE_OPTIONS="--require .../sqs_local_endpoint.cjs".
//
// The container builds two queue URLs for real AWS whatever endpoint it is given: its interrupt queue
// (generic-container.service.ts:110) and its input queue for the delete at interrupt time
// (message-processor.service.ts:97). The AWS SDK v3 sends an SQS call to the host in its QueueUrl, so those calls
// would leave the machine. This module points every SQS call whose QueueUrl names an amazonaws.com host at
// AWS_ENDPOINT_URL instead (same account and queue name): the calls reach the embedded AWS, nothing else changes.
'use strict';

const Module = require('module');

const ENDPOINT = process.env.AWS_ENDPOINT_URL_SQS || process.env.AWS_ENDPOINT_URL;
const patched = new WeakSet();

function local(queueUrl) {
  try {
    const url = new URL(queueUrl);
    return url.hostname.endsWith('.amazonaws.com') ? new URL(url.pathname, ENDPOINT).toString() : queueUrl;
  } catch {
    return queueUrl;
  }
}

function patch(sqs) {
  const client = sqs && sqs.SQSClient;
  if (!client || patched.has(client)) {
    return;
  }
  patched.add(client);
  const send = client.prototype.send;
  client.prototype.send = function (command, ...rest) {
    if (command && command.input && typeof command.input.QueueUrl === 'string') {
      command.input.QueueUrl = local(command.input.QueueUrl);
    }
    return send.call(this, command, ...rest);
  };
}

const load = Module._load;
Module._load = function (request, ...rest) {
  const exported = load.call(this, request, ...rest);
  if (ENDPOINT && request === '@aws-sdk/client-sqs') {
    patch(exported);
  }
  return exported;
};
