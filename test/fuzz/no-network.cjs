// Preloaded (node --require) into the built CLI or server by hostile.test.ts: every way Node can
// reach the network is replaced by a function that reports "NETWORK: <what>" on stderr and throws.
'use strict';
const report = (what) => {
  process.stderr.write(`NETWORK: ${what}\n`);
  throw new Error(`network access attempted: ${what}`);
};
for (const name of ['http', 'https']) {
  const module = require(name);
  module.request = () => report(`${name}.request`);
  module.get = () => report(`${name}.get`);
}
const net = require('net');
net.Socket.prototype.connect = function connect() {
  report('net.Socket.connect');
};
net.connect = net.createConnection = () => report('net.connect');
require('tls').connect = () => report('tls.connect');
require('dgram').createSocket = () => report('dgram.createSocket');
require('dns').lookup = () => report('dns.lookup');
globalThis.fetch = () => report('fetch');
globalThis.WebSocket = function WebSocket() {
  report('WebSocket');
};
