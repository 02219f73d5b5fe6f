// Load generator for bench/api.bench.ts, run as its own process: keep-alive HTTP connections on loopback, each
// posting limit orders back to back; prints one JSON line with throughput and latency percentiles.
// Usage: node bench/api-load-generator.mjs <url> <token> <requests> <connections> <warmup>
import http from 'node:http';

const [url, token, requestsText, connectionsText, warmupText] = process.argv.slice(2);
const requests = Number(requestsText);
const connections = Number(connectionsText);
const warmup = Number(warmupText);
const target = new URL('/v1/orders', url);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const body = JSON.stringify({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '49000' });

function post() {
  return new Promise((resolve, reject) => {
    const request = http.request(target, {
      method: 'POST',
      agent,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 201 ? resolve() : reject(new Error(`status ${response.statusCode}`))));
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function run(count, latencies) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const started = process.hrtime.bigint();
      await post();
      latencies?.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
}

await run(warmup);
const latencies = [];
const started = process.hrtime.bigint();
await run(requests, latencies);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
latencies.sort((a, b) => a - b);
const percentile = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
process.stdout.write(`${JSON.stringify({ requests: latencies.length, seconds, perSecond: latencies.length / seconds, p50Ms: percentile(50), p99Ms: percentile(99) })}\n`);
agent.destroy();
