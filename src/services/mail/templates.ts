import path from 'node:path';
import ejs from 'ejs';
import { t } from '../../errors/messages.js';
import { VIEWS_DIR } from '../../http/views.js';
import type { MailTemplate } from './mail-job.js';

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface MailBranding {
  readonly appName: string;
  readonly issuer: string;
}

/** Renders views/emails/<template>/{subject,text,html}.ejs with the product's name and URL. */
export async function renderMail(template: MailTemplate, data: Readonly<Record<string, string>>, brand: MailBranding): Promise<RenderedMail> {
  const dir = path.join(VIEWS_DIR, 'emails', template);
  const locals = { ...data, appName: brand.appName, issuer: brand.issuer, t };
  const [subject, text, html] = await Promise.all(
    ['subject', 'text', 'html'].map((part) => ejs.renderFile(path.join(dir, `${part}.ejs`), locals, { cache: true, async: false })),
  );
  // A header must be one line; ejs output ends with the file's newline.
  return { subject: String(subject).replace(/\s+/g, ' ').trim(), text: String(text), html: String(html) };
}
