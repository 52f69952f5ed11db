import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import Router from '@koa/router';
import type { AppState } from './state.js';
import { VIEWS_DIR } from './views.js';

const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.js': 'text/javascript; charset=utf-8' };

/** Serves the few files under views/public from memory, with an ETag; nothing else on disk is reachable. */
export function staticFiles(files: readonly string[]): Router<AppState> {
  const router = new Router<AppState>();
  for (const file of files) {
    const body = readFileSync(path.join(VIEWS_DIR, 'public', file));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
    router.get(`/static/${file}`, (ctx) => {
      ctx.set('Cache-Control', 'public, max-age=3600');
      ctx.set('ETag', etag);
      if (ctx.get('if-none-match') === etag) {
        ctx.status = 304;
        return;
      }
      ctx.type = TYPES[path.extname(file)] ?? 'application/octet-stream';
      ctx.body = body;
    });
  }
  return router;
}
