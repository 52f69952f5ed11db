import type { JsonObject } from '../../db/outbox-repository.js';
import { mailJobSchema } from './mail-job.js';
import { renderMail, type MailBranding } from './templates.js';
import type { MailTransport } from './transport.js';

/**
 * The `mail` job: renders the template and sends it. Returns what the outbox keeps once it is
 * sent: the template and recipient, never the links or codes it carried.
 */
export function mailJobHandler(transport: MailTransport, brand: MailBranding) {
  return async (payload: unknown): Promise<JsonObject> => {
    const job = mailJobSchema.parse(payload);
    const rendered = await renderMail(job.template, job.data, brand);
    await transport.send({ ...rendered, to: job.to });
    return { template: job.template, to: job.to };
  };
}
