import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** Shape served by GET /mail; test/helpers/mail.ts validates it with zod. */
export interface StoredMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  receivedAt: string;
}

/** globalSetup and globalTeardown run in the same jest parent process, so globalThis carries the servers. */
export interface MailSinkGlobals {
  __mailSink?: { smtp: SMTPServer; http: Server };
}

const REJECT_ONCE_PREFIX = 'reject-once.';

function listen(server: { listen(port: number, host: string, cb: () => void): unknown }, address: () => AddressInfo | string | null): Promise<number> {
  return new Promise((resolve) => {
    // Port 0 lets the OS pick: no race with a probed "free" port being taken in between.
    server.listen(0, '127.0.0.1', () => {
      const info = address();
      resolve(typeof info === 'object' && info ? info.port : 0);
    });
  });
}

export default async function mailSinkGlobalSetup(): Promise<void> {
  const mails: StoredMail[] = [];
  const rejected = new Map<string, number>();
  const accepted = new Map<string, number>();

  const smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    // Teardown runs after all workers are gone; do not wait the default 30 s for stray sockets.
    closeTimeout: 500,
    onRcptTo(address, _session, callback) {
      const rcpt = address.address.toLowerCase();
      if (rcpt.startsWith(REJECT_ONCE_PREFIX) && !rejected.has(rcpt)) {
        rejected.set(rcpt, 1);
        const err = new Error('try again later') as Error & { responseCode: number };
        err.responseCode = 450;
        callback(err);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      // The envelope, not the To header, says who the mail was delivered to (Bcc included).
      const to = session.envelope.rcptTo.map((a) => a.address.toLowerCase());
      simpleParser(stream)
        .then((parsed) => {
          for (const rcpt of to) accepted.set(rcpt, (accepted.get(rcpt) ?? 0) + 1);
          mails.push({
            to,
            from: parsed.from?.text ?? '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            receivedAt: new Date().toISOString(),
          });
          callback();
        })
        .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
    },
  });

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const to = (url.searchParams.get('to') ?? '').toLowerCase();
    let body: unknown;
    if (req.method === 'GET' && url.pathname === '/mail') body = mails.filter((m) => m.to.includes(to));
    else if (req.method === 'GET' && url.pathname === '/rejections') body = { rejected: rejected.get(to) ?? 0, accepted: accepted.get(to) ?? 0 };
    else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });

  const smtpPort = await listen(smtp, () => smtp.server.address());
  const httpPort = await listen(http, () => http.address());
  // Belt and braces: even if teardown is skipped, the sink must not keep jest alive.
  smtp.server.unref();
  http.unref();

  process.env.TEST_SMTP_URL = `smtp://127.0.0.1:${smtpPort}`;
  process.env.TEST_MAIL_SINK = `http://127.0.0.1:${httpPort}`;
  (globalThis as MailSinkGlobals).__mailSink = { smtp, http };
}
