import type { ServerResponse } from 'node:http';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "form-action 'self' https: http://localhost:* http://127.0.0.1:* http://[::1]:*",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');

type Header = readonly [name: string, value: string];

export interface SecurityHeaders {
  /** For anything that may be rendered as a document: AuthFlow's pages and the provider's. */
  page(res: ServerResponse): void;
  /** For the provider's JSON endpoints: a body that must never be sniffed into a document. */
  api(res: ServerResponse): void;
}

/**
 * `form-action` also covers the redirect that ends a sign-in at the relying party, so it allows
 * https and http loopback redirect URIs (the only http ones clients.json accepts). Native apps'
 * private-use schemes are not listed yet.
 *
 * The document headers (CSP, X-Frame-Options, COOP, Referrer-Policy) govern how a browser
 * renders, frames and navigates away from a document. JSON answers are not documents: with
 * `nosniff` and their JSON content type no browser renders them, and a cross-origin frame of one
 * can neither be read nor usefully clicked. Those endpoints (discovery, JWKS, tokens) are the hot
 * path, and each header costs there well beyond its setHeader call: with the page set, JWKS
 * answered ~10% fewer requests per CPU second than with none, the API set within noise of none
 * (`npm run bench`, and fixed-count A/B runs of both builds side by side).
 */
export function securityHeaders(options: { hsts: boolean }): SecurityHeaders {
  const hsts: Header[] = options.hsts ? [['Strict-Transport-Security', 'max-age=63072000; includeSubDomains']] : [];
  const page: Header[] = [
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'no-referrer'],
    ['X-Frame-Options', 'DENY'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Content-Security-Policy', CSP],
    ...hsts,
  ];
  const api: Header[] = [['X-Content-Type-Options', 'nosniff'], ...hsts];
  // Set on the raw response before anything runs: the provider's pages read the CSP to add their hashes.
  const setAll = (headers: readonly Header[]) => (res: ServerResponse) => {
    for (const [name, value] of headers) res.setHeader(name, value);
  };
  return { page: setAll(page), api: setAll(api) };
}
