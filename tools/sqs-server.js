// Starts local-aws-sqs (an SQS server speaking the Query and JSON protocols, pinned in package.json) on 127.0.0.1:PORT
// for the tests: node tools/sqs-server.js PORT. The test fixture (tests/Recon.Testing/Servers) kills it when done.
"use strict";
const http = require("http");
const { createSqsServer } = require("local-aws-sqs");

// One protocol slip of local-aws-sqs 2.0.2 is corrected here: in the JSON protocol, a ReceiveMessage that finds no
// message answers an empty body, where SQS answers {} (which the AWS SDKs require). Nothing else is changed.
const end = http.ServerResponse.prototype.end;
http.ServerResponse.prototype.end = function (chunk, ...rest) {
  const empty = chunk === undefined || chunk === null || chunk === "" || (typeof chunk === "function");
  if (empty && this.statusCode === 200 && String(this.getHeader("content-type") || "").startsWith("application/x-amz-json")) {
    return end.call(this, "{}", ...(typeof chunk === "function" ? [chunk, ...rest] : rest));
  }
  return end.call(this, chunk, ...rest);
};

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error("usage: node tools/sqs-server.js PORT");
  process.exit(2);
}

createSqsServer({ port, hostname: "127.0.0.1", emulateQueueCreationLifecycle: false, validateDlqDestination: true })
  .then(() => console.log(`local-aws-sqs listening on 127.0.0.1:${port}`))
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
