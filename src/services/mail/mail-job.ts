import { z } from 'zod';

/** Every email AuthFlow sends; each has views/emails/<template>/{subject,html,text}.ejs. */
export const MAIL_TEMPLATES = ['verify-email', 'change-email', 'reset-password', 'password-changed', 'email-changed', 'new-device'] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

/** The payload of a `mail` job as the outbox stores it: plain JSON, parsed again by the worker. */
export const mailJobSchema = z.object({
  template: z.enum(MAIL_TEMPLATES),
  to: z.email().max(320),
  /** Template values: names, URLs, a one-time code. Dropped from the outbox once sent. */
  data: z.record(z.string(), z.string().max(2000)),
});
export type MailJob = z.infer<typeof mailJobSchema>;

export const MAIL_JOB = 'mail';
