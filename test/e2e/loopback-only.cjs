// Preloaded into infra by the end-to-end tests (NODE_OPTIONS=--require): a connection to anything but the
// loopback address, or any DNS lookup, fails and says so on stderr, so a test sees when the sandbox let a
// request out to the network.
const net = require("node:net");
const dns = require("node:dns");

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

function refuse(what) {
  process.stderr.write(`loopback-only: refused ${what}\n`);
  return Object.assign(new Error(`loopback-only: ${what}`), { code: "ECONNREFUSED" });
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const options = Array.isArray(args[0])
    ? args[0][0]
    : typeof args[0] === "object"
      ? args[0]
      : { port: args[0], host: args[1] };
  if (options.path === undefined && !LOOPBACK.has(options.host ?? "localhost")) {
    const err = refuse(`a connection to ${options.host}:${options.port}`);
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return connect.apply(this, args);
};

for (const name of ["lookup", "resolve", "resolve4", "resolve6", "resolveNs", "resolveCname", "resolveAny"]) {
  const original = dns[name];
  if (typeof original !== "function") continue;
  dns[name] = (host, ...rest) => {
    if (LOOPBACK.has(host)) return original(host, ...rest);
    const callback = rest.at(-1);
    const err = refuse(`a DNS lookup of ${host}`);
    if (typeof callback === "function") process.nextTick(() => callback(err));
    else throw err;
  };
  const promised = dns.promises[name];
  if (typeof promised === "function") {
    dns.promises[name] = (host, ...rest) =>
      LOOPBACK.has(host) ? promised(host, ...rest) : Promise.reject(refuse(`a DNS lookup of ${host}`));
  }
}

// ES modules import node:dns and node:dns/promises by name: let them see the patched functions too.
require("node:module").syncBuiltinESMExports();
