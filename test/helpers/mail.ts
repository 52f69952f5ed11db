import { z } from 'zod';

/** Reads the shared SMTP sink started by test/helpers/mail-sink-global.ts (jest globalSetup). */

const ReceivedMailSchema = z.object({
  to: z.array(z.string()),
  from: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  receivedAt: z.string(),
});
export type ReceivedMail = z.infer<typeof ReceivedMailSchema>;

const MailListSchema = z.array(ReceivedMailSchema);
const RejectionsSchema = z.object({ rejected: z.number().int().nonnegative() });

async function getJson(path: string, to: string): Promise<unknown> {
  const base = process.env.TEST_MAIL_SINK;
  if (!base) throw new Error('TEST_MAIL_SINK is not set: run jest with globalSetup test/helpers/mail-sink-global.ts');
  const res = await fetch(`${base}${path}?to=${encodeURIComponent(to)}`);
  if (!res.ok) throw new Error(`mail sink ${path} answered ${res.status}`);
  return res.json();
}

export async function mailsTo(to: string): Promise<ReceivedMail[]> {
  return MailListSchema.parse(await getJson('/mail', to));
}

export async function rejectionsFor(to: string): Promise<number> {
  return RejectionsSchema.parse(await getJson('/rejections', to)).rejected;
}

export async function waitForMail(to: string, options: { count?: number; timeoutMs?: number } = {}): Promise<ReceivedMail[]> {
  const count = options.count ?? 1;
  const deadline = Date.now() + (options.timeoutMs ?? 10000);
  for (;;) {
    const mails = await mailsTo(to);
    if (mails.length >= count) return mails;
    if (Date.now() >= deadline) throw new Error(`expected ${count} mail(s) to ${to}, ${mails.length} arrived`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function linkIn(mail: ReceivedMail, pathPrefix: string): string {
  for (const match of mail.text.matchAll(/https?:\/\/[^\s<>"')\]]+/g)) {
    // A sentence may end right after the link; that punctuation is not part of it.
    const link = match[0].replace(/[.,;:!?]+$/, '');
    if (URL.canParse(link) && new URL(link).pathname.startsWith(pathPrefix)) return link;
  }
  throw new Error(`no link with path ${pathPrefix} in mail "${mail.subject}" to ${mail.to.join(', ')}`);
}

export function codeIn(mail: ReceivedMail): string {
  // \w in the lookarounds also excludes digits, so 6 digits inside a longer number or token do not count.
  const code = /(?<!\w)\d{6}(?!\w)/.exec(mail.text)?.[0];
  if (!code) throw new Error(`no 6-digit code in mail "${mail.subject}" to ${mail.to.join(', ')}`);
  return code;
}
