import nodemailer from 'nodemailer';
import { codeIn, linkIn, mailsTo, rejectionsFor, waitForMail } from './mail.js';

const unique = (): string => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

describe('shared mail sink', () => {
  const url = process.env.TEST_SMTP_URL;
  if (!url) throw new Error('TEST_SMTP_URL is not set: the mail sink globalSetup did not run');
  const transport = nodemailer.createTransport({ url, ignoreTLS: true });
  afterAll(() => transport.close());

  it('stores mail per recipient and rejects reject-once addresses exactly once', async () => {
    const plain = `plain.${unique()}@example.test`;
    const flaky = `reject-once.${unique()}@example.test`;
    const text = 'Your code is 493817.\nOr open https://auth.example.test/verify-email?token=abc123. Ignore 1234567.';

    await transport.sendMail({ from: 'authflow@example.test', to: plain, subject: 'Plain mail', text });
    await expect(transport.sendMail({ from: 'authflow@example.test', to: flaky, subject: 'Flaky mail', text: 'x' })).rejects.toMatchObject({
      responseCode: 450,
    });
    expect(await mailsTo(flaky)).toEqual([]);
    await transport.sendMail({ from: 'authflow@example.test', to: flaky, subject: 'Flaky mail', text: 'x' });

    const [mail] = await waitForMail(plain);
    expect(mail).toMatchObject({ to: [plain], subject: 'Plain mail' });
    if (!mail) throw new Error('unreachable');
    expect(codeIn(mail)).toBe('493817');
    expect(linkIn(mail, '/verify-email')).toBe('https://auth.example.test/verify-email?token=abc123');
    expect(() => linkIn(mail, '/reset-password')).toThrow(/reset-password/);

    const flakyMails = await waitForMail(flaky.toUpperCase());
    expect(flakyMails.map((m) => m.subject)).toEqual(['Flaky mail']);
    expect(await rejectionsFor(flaky)).toBe(1);
    expect(await rejectionsFor(plain)).toBe(0);
  });

  it('names the address and the count when mail does not arrive in time', async () => {
    const nobody = `nobody.${unique()}@example.test`;
    await expect(waitForMail(nobody, { timeoutMs: 200 })).rejects.toThrow(`expected 1 mail(s) to ${nobody}, 0 arrived`);
  });
});
