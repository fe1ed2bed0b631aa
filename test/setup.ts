import "aws-sdk-client-mock-vitest/extend";

// The SDK's "Node 22 after January 2027" notice, once per worker, says nothing about the code under test.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
