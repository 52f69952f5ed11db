import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FIXTURES, freePort } from './helpers/harness.js';

const ROOT = path.resolve(FIXTURES, '../..');

function baseEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL, PATH, HOME } = process.env;
  return {
    PATH, HOME, AUTHFLOW_DATA_DIR: dir, KEYS_DIR: path.join(dir, 'keys'), LOG_LEVEL: 'info',
    ...(DATABASE_URL ? { DATABASE_URL } : {}),
    ...extra,
  };
}

function runNode(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
}

describe('the authflow process', () => {
  test('an invalid variable stops start-up with one line naming it, and no stack trace', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authflow-proc-'));
    const result = runNode(['src/main.ts'], baseEnv(dir, { PORT: 'eighty' }));
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('authflow: invalid configuration: PORT: Invalid input: expected number, received NaN');
  });

  test('a bad clients file stops start-up naming the client and the field', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authflow-proc-'));
    const file = path.join(dir, 'clients.json');
    writeFileSync(file, JSON.stringify({ clients: [{ client_id: 'shop', token_endpoint_auth_method: 'none', redirect_uris: ['http://shop.example/cb'] }] }));
    const result = runNode(['src/main.ts'], baseEnv(dir, { CLIENTS_FILE: file }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('client "shop": redirect_uris.0:');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  test('the CLI creates a user (no default account exists) and lists it; a weak password is refused', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authflow-proc-'));
    const env = baseEnv(dir);
    const email = `admin.${Date.now()}@example.test`;
    const weak = runNode(['src/cli.ts', 'users', 'create', '--email', email, '--password', 'password'], env);
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain('password rejected: common');
    const created = runNode(['src/cli.ts', 'users', 'create', '--email', email, '--password', 'an admin passphrase', '--username', `admin${Date.now()}`, '--verified', '--role', 'admin'], env);
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/^created user [0-9a-f-]{36} <.+>/);
    const listed = runNode(['src/cli.ts', 'users', 'list', '--limit', '1000'], env);
    expect(listed.stdout).toMatch(new RegExp(`${email.replaceAll('.', '\\.')}\\t\\S+\\tactive\\tverified\\tadmin`));
    const rotated = runNode(['src/cli.ts', 'keys', 'rotate'], env);
    expect(rotated.stdout).toMatch(/^added keys \S+, \S+; still published: \S+, \S+/);
    const bad = runNode(['src/cli.ts', 'users', 'create', '--email', 'not-an-email', '--password', 'x'], env);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--email');
  });

  test('SIGTERM lets an in-flight request finish, then the process exits 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authflow-proc-'));
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: baseEnv(dir, { PORT: String(port), HOST: '127.0.0.1', ISSUER: `http://127.0.0.1:${port}` }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 200 && !out.includes('AuthFlow is running'); i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain(`AuthFlow is running at http://127.0.0.1:${port}`);
    expect(out).toContain('generated an RS256 and an ES256 key');
    const embedded = !process.env.DATABASE_URL;
    if (embedded) {
      // PGlite takes no lock itself: a second process (the CLI here) must be refused, not let in to corrupt it.
      expect(readdirSync(dir).filter((f) => f.endsWith('.lock'))).toHaveLength(1);
      const cli = runNode(['src/cli.ts', 'users', 'list'], baseEnv(dir));
      expect(cli.status).toBe(1);
      expect(cli.stderr).toContain(`is in use by process ${child.pid}`);
      expect(cli.stderr).not.toMatch(/\n\s+at /);
    }
    // A request whose body is still arriving when SIGTERM comes must still be answered.
    const body = 'grant_type=client_credentials&client_id=nobody';
    const status = new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/token', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 300);
    });
    expect(await status).toBe(401);
    expect(await exited).toBe(0);
    expect(out).toContain('shutting down');
    // A clean stop gives the directory back.
    expect(readdirSync(dir).filter((f) => f.endsWith('.lock'))).toEqual([]);
    if (embedded) expect(runNode(['src/cli.ts', 'users', 'list'], baseEnv(dir)).status).toBe(0);
  }, 90_000);
});
