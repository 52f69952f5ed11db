import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import type { Config } from '../../config/index.js';
import type { RenderedMail } from './templates.js';

export interface OutgoingMail extends RenderedMail {
  readonly to: string;
}

export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** nodemailer over SMTP_URL; the sender is MAIL_FROM. */
export function smtpTransport(url: string, from: string): MailTransport {
  // Bounded well below the outbox's 5-minute claim, so a slow server cannot make two workers send one email.
  const transporter = nodemailer.createTransport({ url, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 });
  return {
    async send(mail) {
      await transporter.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    },
    close: () => transporter.close(),
  };
}

export const devMailSchema = z.object({
  id: z.string(),
  from: z.string(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  date: z.string(),
});
export type DevMail = z.infer<typeof devMailSchema>;

/** Development without SMTP: each email is a JSON file under the data dir, read at /dev/mail. */
export function devOutboxTransport(dir: string, from: string): MailTransport {
  return {
    async send(mail) {
      await mkdir(dir, { recursive: true });
      const date = new Date().toISOString();
      const id = `${date.replace(/[-:.TZ]/g, '')}-${randomUUID().slice(0, 8)}`;
      const record: DevMail = { id, from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, date };
      await writeFile(path.join(dir, `${id}.json`), JSON.stringify(record), { mode: 0o600 });
    },
    close: () => undefined,
  };
}

/** The development outbox, newest first; unreadable files are skipped. */
export async function readDevOutbox(dir: string): Promise<DevMail[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const mails: DevMail[] = [];
  for (const file of files.sort().reverse().slice(0, 200)) {
    const text = await readFile(path.join(dir, file), 'utf8').catch(() => 'null');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      continue; // being written right now
    }
    const parsed = devMailSchema.safeParse(json);
    if (parsed.success) mails.push(parsed.data);
  }
  return mails;
}

export function createMailTransport(mail: Config['mail']): MailTransport {
  return mail.transport.kind === 'smtp' ? smtpTransport(mail.transport.url, mail.from) : devOutboxTransport(mail.transport.dir, mail.from);
}
