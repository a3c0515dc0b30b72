// Starts the switchboard binary named in SWITCHBOARD_BIN (it builds
// nothing) on a free loopback port with a fresh data directory, waits until
// /readyz answers, reads the first administrator's one-time password from
// stdout, and stops the server with SIGTERM.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * @param {{ args?: string[] }} [opts] extra `serve` flags
 * @returns {Promise<{ url: string, email: string, oneTimePassword: string,
 *   cli: (...args: string[]) => Promise<string>, output: () => string, stop: () => Promise<void> }>}
 */
export async function startServer(opts = {}) {
  const bin = process.env.SWITCHBOARD_BIN;
  if (!bin) throw new Error('SWITCHBOARD_BIN is not set: it names the switchboard binary to test');
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-e2e-'));

  // The server reads SWITCHBOARD_* settings from its environment: leave none
  // in, so that it runs on SQLite in dataDir whatever the caller's shell has.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SWITCHBOARD_')));
  // Port 0: the server takes a free port and prints the URL it listens on.
  const args = ['serve', '--addr', '127.0.0.1:0', '--data-dir', dataDir, '--log-level', 'warn', ...(opts.args || [])];
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });

  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s) => { stderr += s; });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const output = () => `--- stdout\n${stdout}--- stderr\n${stderr}`;

  const ready = new Promise((resolve, reject) => {
    child.stdout.on('data', (s) => {
      stdout += s;
      const m = /^Switchboard is ready at (\S+)$/m.exec(stdout);
      if (m) resolve(m[1].replace(/\/$/, ''));
    });
    child.once('error', reject);
    exited.then(({ code, signal }) => reject(new Error(`switchboard exited early (code ${code}, signal ${signal})\n${output()}`)));
    setTimeout(() => reject(new Error(`switchboard did not start within ${START_TIMEOUT_MS} ms\n${output()}`)), START_TIMEOUT_MS).unref();
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const { code, signal } = await exited;
      clearTimeout(t);
      process.removeListener('exit', killOnExit);
      if (code !== 0) throw new Error(`switchboard did not stop cleanly (code ${code}, signal ${signal})\n${output()}`);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  let url;
  try {
    url = await ready;
    await waitReady(url);
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
  const email = /^\s*E-mail:\s+(\S+)$/m.exec(stdout)?.[1] || 'admin@localhost';
  const oneTimePassword = /^\s*One-time password:\s+(\S+)$/m.exec(stdout)?.[1] || '';
  // Runs another switchboard command on the same data directory.
  const cli = (...cmd) => new Promise((resolve, reject) => {
    execFile(bin, [...cmd, '--data-dir', dataDir, '--log-level', 'warn'], { env, timeout: 20_000 }, (err, out, errOut) =>
      (err ? reject(new Error(`switchboard ${cmd.join(' ')}: ${err.message}\n${errOut}`)) : resolve(out)));
  });
  return { url, email, oneTimePassword, cli, output, stop };
}

async function waitReady(url) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
      last = `status ${res.status}`;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}/readyz did not answer 200 (${last})`);
}
