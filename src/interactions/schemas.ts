import { z } from 'zod';

/** An optional text field: browsers send "" for an empty input. */
const optionalText = (inner: z.ZodString) =>
  z
    .string()
    .max(1024)
    .transform((v) => v.trim())
    .transform((v) => (v === '' ? undefined : v))
    .pipe(inner.optional());

export const loginForm = z.object({
  login: z.string().trim().min(1).max(320),
  // Longer than any password the policy accepts: such a login simply fails, without hashing 1 MB.
  password: z.string().min(1).max(1024),
});

export const registrationForm = z.object({
  email: z.string().trim().max(254).pipe(z.email()),
  username: optionalText(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$/)),
  name: optionalText(z.string().max(100)),
  password: z.string().max(1024),
});

export const consentForm = z.object({
  decision: z.enum(['allow', 'deny']),
});
