// hostile: node child_process.execSync('cat /etc/shadow'), fs reads of host secrets, process.env secret
// language: node
// timeout: 5
// expect-status: completed
// expect-stdout: SAFE: execSync cat /etc/shadow failed
// expect-stdout: SAFE: fs.readFileSync(/etc/shadow) failed
// expect-stdout: SAFE: WARDEN_TEST_SECRET not in process.env
// expect-stdout: SAFE: process.env has only the allowed variables
// expect-stdout: SAFE: execSync env shows no secret
'use strict';
const { execSync } = require('child_process');
const fs = require('fs');

try {
  const out = execSync('cat /etc/shadow', { stdio: ['ignore', 'pipe', 'pipe'], timeout: 3000 });
  console.log(`ESCAPE: execSync cat /etc/shadow returned ${out.length} bytes`);
} catch (e) {
  console.log(`SAFE: execSync cat /etc/shadow failed (status ${e.status}: ${String(e.stderr || e.message).trim().slice(0, 80)})`);
}

for (const p of ['/etc/shadow', '/root/.ssh/id_rsa', '/root/warden-canary.txt', '/tmp/warden-canary/canary.txt']) {
  try {
    const data = fs.readFileSync(p);
    console.log(`ESCAPE: fs.readFileSync(${p}) returned ${data.length} bytes`);
  } catch (e) {
    console.log(`SAFE: fs.readFileSync(${p}) failed (${e.code})`);
  }
}

if ('WARDEN_TEST_SECRET' in process.env) {
  console.log('ESCAPE: WARDEN_TEST_SECRET is in process.env');
} else {
  console.log('SAFE: WARDEN_TEST_SECRET not in process.env');
}
const allowed = new Set(['PATH', 'HOME', 'LANG', 'TMPDIR', 'PYTHONDONTWRITEBYTECODE']);
const extra = Object.keys(process.env).filter((k) => !allowed.has(k));
if (extra.length) {
  console.log(`ESCAPE: unexpected environment variables: ${extra.sort().join(', ')}`);
} else {
  console.log(`SAFE: process.env has only the allowed variables (${Object.keys(process.env).sort().join(', ')})`);
}

try {
  const env = execSync('env', { timeout: 3000 }).toString();
  if (/WARDEN/i.test(env)) {
    console.log('ESCAPE: child env mentions WARDEN');
  } else {
    console.log('SAFE: execSync env shows no secret');
  }
} catch (e) {
  console.log(`UNEXPECTED: execSync env failed (${e.message.slice(0, 80)})`);
}

for (const p of ['/proc/1/environ', '/proc/self/environ']) {
  try {
    const data = fs.readFileSync(p).toString('latin1');
    console.log(/WARDEN/i.test(data) ? `ESCAPE: ${p} mentions WARDEN` : `SAFE: ${p} has no secret`);
  } catch (e) {
    console.log(`SAFE: ${p} unreadable (${e.code})`);
  }
}
