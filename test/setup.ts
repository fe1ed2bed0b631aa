import "aws-sdk-client-mock-vitest/extend";

// The SDK's "Node 22 after January 2027" notice, once per worker, says nothing about the code under test.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
// The SDK's credential chain finds these first: no test looks for a profile or an instance metadata endpoint.
process.env.AWS_ACCESS_KEY_ID = "AKIDTESTS";
process.env.AWS_SECRET_ACCESS_KEY = "offline-tests";
