import { Browser } from '../helpers/browser.js';
import { uniqueEmail, useAuthFlow } from '../helpers/harness.js';
import { mailsTo } from '../helpers/mail.js';
import { callbackFrom, register, signIn, startAuthorization } from '../helpers/oidc.js';

const PASSWORD = 'correct horse battery staple';
const env = useAuthFlow();

async function mailsAbout(email: string, subject: RegExp) {
  // Mail is sent by the job runner a moment after the request: give it time to arrive (or not).
  await new Promise((resolve) => setTimeout(resolve, 800));
  return (await mailsTo(email)).filter((m) => subject.test(m.subject));
}

describe('sign-in from a device not seen before', () => {
  test('the registering browser is the first device; another browser triggers one notice; a known one none', async () => {
    const email = uniqueEmail('device');
    const first = new Browser(env.af.issuer);
    const auth = await startAuthorization(env.rp);
    await callbackFrom(first, await first.follow(await register(first, await first.follow(auth.url.toString()), { email, password: PASSWORD })));
    expect(await mailsAbout(email, /New sign-in/)).toHaveLength(0);

    const second = new Browser(env.af.issuer);
    await signIn(second, await startAuthorization(env.rp), { email, password: PASSWORD });
    const notices = await mailsAbout(email, /New sign-in/);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.text).toContain('127.0.0.1');
    expect(notices[0]?.text).toContain('/forgot-password');

    // The same browser signing in again (after its session ended) is a known device.
    const again = new Browser(env.af.issuer);
    again.setCookie('authflow_device', second.cookie('authflow_device') ?? '');
    await signIn(again, await startAuthorization(env.rp), { email, password: PASSWORD });
    expect(await mailsAbout(email, /New sign-in/)).toHaveLength(1);
    const stored = await env.af.container.db.sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM known_devices d JOIN users u ON u.id = d.user_id WHERE u.email = $1',
      [email],
    );
    expect(stored[0]?.n).toBe(2);
  });
});
