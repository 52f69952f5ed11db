/**
 * A minimal browser for driving hosted pages from tests: a cookie jar, manual redirects (so a test
 * can stop at the relying party's callback) and form field extraction from the rendered HTML.
 */
export interface PageResponse {
  readonly status: number;
  readonly url: string;
  readonly html: string;
  readonly headers: Headers;
}

function decodeEntities(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|#39|#34);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#34': '"' })[e] ?? '');
}

export class Browser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly origin: string) {}

  private store(url: URL, headers: Headers): void {
    if (url.origin !== this.origin) return;
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader(url: URL): Record<string, string> {
    if (url.origin !== this.origin || this.cookies.size === 0) return {};
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  /** A cookie this browser holds, to hand to another one (the same device, a new session). */
  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  /** One request, no redirect following. */
  async request(input: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<PageResponse> {
    const url = new URL(input, this.origin);
    const headers: Record<string, string> = { accept: 'text/html', ...this.cookieHeader(url), ...init.headers };
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    this.store(url, response.headers);
    return { status: response.status, url: url.toString(), html: await response.text(), headers: response.headers };
  }

  /** Follows redirects on this origin; stops at the first page (2xx/4xx) or at a redirect leaving it. */
  async follow(start: PageResponse | string, init: { method?: string; form?: Record<string, string> } = {}): Promise<PageResponse> {
    let response = typeof start === 'string' ? await this.request(start, init) : start;
    for (let hops = 0; hops < 20; hops += 1) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return response;
      const next = new URL(location, response.url);
      if (next.origin !== this.origin) return { ...response, url: next.toString() };
      response = await this.request(next.toString());
    }
    throw new Error('too many redirects');
  }

  /** The hidden and visible fields of the form posting to `action` (or the first form). */
  static form(html: string, actionPart?: string): { action: string; fields: Record<string, string> } {
    const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)];
    const match = forms.find((f) => !actionPart || (f[1] ?? '').includes(actionPart));
    if (!match) throw new Error(`no form ${actionPart ?? ''} in page:\n${html.slice(0, 2000)}`);
    const action = decodeEntities(/action="([^"]*)"/.exec(match[1] ?? '')?.[1] ?? '');
    const fields: Record<string, string> = {};
    for (const input of (match[2] ?? '').matchAll(/<input\b([^>]*)>/g)) {
      const attrs = input[1] ?? '';
      const name = /name="([^"]*)"/.exec(attrs)?.[1];
      if (name) fields[name] = decodeEntities(/value="([^"]*)"/.exec(attrs)?.[1] ?? '');
    }
    return { action, fields };
  }
}
