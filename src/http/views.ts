import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import { t } from '../errors/messages.js';

export const VIEWS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../views');

export interface PageLocals {
  readonly title: string;
  readonly [key: string]: unknown;
}

export type Renderer = (template: string, locals: PageLocals) => Promise<string>;

/**
 * Renders `views/<template>.ejs` inside the one layout. A plain function rather than koa-views'
 * ctx.render because node-oidc-provider renders its logout and error pages on its own context.
 */
export function createRenderer(options: { cache: boolean }): Renderer {
  const render = (file: string, data: Record<string, unknown>) =>
    ejs.renderFile(path.join(VIEWS_DIR, `${file}.ejs`), data, { cache: options.cache, async: false, root: VIEWS_DIR });
  return async (template, locals) => {
    const data = { t, ...locals };
    const body = await render(template, data);
    return render('layouts/main', { ...data, body });
  };
}

/** What a page response needs of a Koa context. */
interface PageContext {
  status: number;
  type: string;
  body: unknown;
  set(field: string, value: string): void;
}

/** Renders a hosted page as the response. */
export async function sendPage(ctx: PageContext, render: Renderer, template: string, locals: PageLocals, status = 200): Promise<void> {
  ctx.status = status;
  ctx.type = 'html';
  // Hosted pages hold per-user state and CSRF tokens: never let a shared cache keep them.
  ctx.set('Cache-Control', 'no-store');
  ctx.body = await render(template, locals);
}
