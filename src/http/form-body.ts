import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors/app-error.js';

const DEFAULT_LIMIT = 16 * 1024;

/**
 * Reads an application/x-www-form-urlencoded body into plain string fields. Over the limit: 413.
 * A repeated field is refused rather than guessed at (parameter pollution).
 */
export async function readForm(req: IncomingMessage, limit = DEFAULT_LIMIT): Promise<Record<string, string>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new AppError(413, 'request_too_large', 'error.too_large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > limit) throw new AppError(413, 'request_too_large', 'error.too_large');
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of new URLSearchParams(text)) {
    if (key in fields) throw new AppError(400, 'duplicate_parameter', 'error.bad_request');
    fields[key] = value;
  }
  return fields;
}
