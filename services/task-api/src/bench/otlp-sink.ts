// An OTLP/HTTP endpoint that accepts and discards every export: the instrumented variant pays
// the full cost of producing and sending telemetry, and nothing is kept.
import { createServer } from 'node:http';

let bytes = 0;
let requests = 0;
const server = createServer((request, response) => {
  request.on('data', (chunk: Buffer) => (bytes += chunk.length));
  request.on('end', () => {
    requests++;
    response.writeHead(200, { 'content-type': request.headers['content-type'] ?? 'application/x-protobuf' });
    response.end();
  });
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1');
process.once('SIGTERM', () => {
  process.stdout.write(`${JSON.stringify({ requests, bytes })}\n`);
  server.close(() => process.exit(0));
});
