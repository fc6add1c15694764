// hostile: node outbound TCP to 1.1.1.1:53 and 8.8.8.8:443, DNS lookup of example.com; loopback must still work
// language: node
// timeout: 8
// expect-status: completed
// expect-stdout: SAFE: tcp 1.1.1.1:53
// expect-stdout: SAFE: tcp 8.8.8.8:443
// expect-stdout: SAFE: dns.lookup(example.com)
// expect-stdout: SAFE: dns.resolve4(example.com)
// expect-stdout: OK: loopback tcp works
'use strict';
const net = require('net');
const dns = require('dns');

function tcp(host, port) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const t = setTimeout(() => { s.destroy(); console.log(`UNEXPECTED: tcp ${host}:${port} timed out`); resolve(); }, 1500);
    s.on('connect', () => { clearTimeout(t); s.destroy(); console.log(`ESCAPE: tcp ${host}:${port} connected`); resolve(); });
    s.on('error', (e) => {
      clearTimeout(t);
      if (e.code === 'ECONNREFUSED') console.log(`ESCAPE: tcp ${host}:${port} refused by a remote stack`);
      else console.log(`SAFE: tcp ${host}:${port} failed (${e.code})`);
      resolve();
    });
  });
}

function withTimeout(p, ms, label) {
  return Promise.race([p, new Promise((r) => setTimeout(() => r({ timeout: label }), ms))]);
}

async function main() {
  await tcp('1.1.1.1', 53);
  await tcp('8.8.8.8', 443);

  const lk = await withTimeout(dns.promises.lookup('example.com').then((a) => ({ a }), (e) => ({ e })), 3000, 'lookup');
  if (lk.a) console.log(`ESCAPE: dns.lookup(example.com) -> ${lk.a.address}`);
  else if (lk.e) console.log(`SAFE: dns.lookup(example.com) failed (${lk.e.code})`);
  else console.log('SAFE: dns.lookup(example.com) never answered (timed out)');

  const r4 = await withTimeout(dns.promises.resolve4('example.com').then((a) => ({ a }), (e) => ({ e })), 3000, 'resolve4');
  if (r4.a) console.log(`ESCAPE: dns.resolve4(example.com) -> ${r4.a}`);
  else if (r4.e) console.log(`SAFE: dns.resolve4(example.com) failed (${r4.e.code})`);
  else console.log('SAFE: dns.resolve4(example.com) never answered (timed out)');

  await new Promise((resolve) => {
    const server = net.createServer((c) => c.end('pong')).listen(0, '127.0.0.1', () => {
      const c = net.connect(server.address().port, '127.0.0.1');
      let got = '';
      c.on('data', (d) => { got += d; });
      c.on('end', () => {
        console.log(got === 'pong' ? 'OK: loopback tcp works' : `FAIL: loopback got ${JSON.stringify(got)}`);
        server.close();
        resolve();
      });
      c.on('error', (e) => { console.log(`FAIL: loopback tcp (${e.code})`); server.close(); resolve(); });
    });
  });
  process.exit(0);
}
main();
