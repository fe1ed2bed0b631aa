// Errors as the SDK delivers them. Modeled errors are instances of the SDK's own exception classes (name =
// shape name, e.g. LoadBalancerNotFoundException); unmodeled ones carry the raw wire code as name
// (every EC2 error, ELBv2's ValidationError and UnsupportedCertificate): docs/aws-behaviours.md, "The SDK for JavaScript v3".

type ExceptionClass = new (opts: { message: string; $metadata: object }) => Error;

export function modeled(cls: ExceptionClass, message: string): Error {
  return new cls({ message, $metadata: { httpStatusCode: 400 } });
}

export function unmodeled(code: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), {
    name: code,
    Code: code,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status },
  });
}

export function throttling(): Error {
  return Object.assign(unmodeled("ThrottlingException", "Rate exceeded"), { $retryable: { throttling: true } });
}
