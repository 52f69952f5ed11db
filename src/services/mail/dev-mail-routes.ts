import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import type { AppState } from '../../http/state.js';
import type { Renderer } from '../../http/views.js';
import { readDevOutbox } from './transport.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const idSchema = z.string().regex(/^[0-9]{17}-[0-9a-f]{8}$/);

/** Splits a text body into plain runs and links to this server, so a developer can click them. */
function linkify(text: string, issuer: string): Array<{ text: string; href?: string }> {
  const parts: Array<{ text: string; href?: string }> = [];
  let rest = text;
  for (;;) {
    const at = rest.indexOf(issuer);
    if (at < 0) break;
    const end = rest.slice(at).search(/\s/);
    const url = end < 0 ? rest.slice(at) : rest.slice(at, at + end);
    parts.push({ text: rest.slice(0, at) }, { text: url, href: url });
    rest = rest.slice(at + url.length);
  }
  parts.push({ text: rest });
  return parts;
}

/** Development only: the emails AuthFlow would have sent, newest first. Never mounted in production. */
export function devMailRoutes(dir: string, issuer: string, render: Renderer): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/dev/mail' });
  // These pages hold live reset links: a server that forgot NODE_ENV=production must not hand them
  // to the internet. Only a browser on the same machine sees them.
  router.use(async (ctx, next) => {
    if (!LOOPBACK.has(ctx.ip)) throw AppError.notFound();
    await next();
  });
  router.get('/', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'html';
    ctx.body = await render('dev/mail-list', { title: 'Development mail outbox', mails: await readDevOutbox(dir) });
  });
  router.get('/:id', async (ctx) => {
    const id = idSchema.safeParse(ctx.params.id);
    const mail = id.success ? (await readDevOutbox(dir)).find((m) => m.id === id.data) : undefined;
    if (!mail) throw AppError.notFound();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'html';
    ctx.body = await render('dev/mail-show', { title: mail.subject, mail, parts: linkify(mail.text, issuer) });
  });
  return router;
}
