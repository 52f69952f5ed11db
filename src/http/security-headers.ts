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

/**
 * Headers for every response, the provider's included. `form-action` also covers the redirect that
 * ends a sign-in at the relying party, so it allows https and http loopback redirect URIs (the
 * only http ones clients.json accepts). Native apps' private-use schemes are not listed yet.
 */
export function securityHeaders(options: { hsts: boolean }): (res: ServerResponse) => void {
  const headers: Array<[string, string]> = [
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'no-referrer'],
    ['X-Frame-Options', 'DENY'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Content-Security-Policy', CSP],
    ...(options.hsts ? [['Strict-Transport-Security', 'max-age=63072000; includeSubDomains'] as [string, string]] : []),
  ];
  // Set on the raw response before anything runs: the provider's pages read the CSP to add their hashes.
  return (res) => {
    for (const [name, value] of headers) res.setHeader(name, value);
  };
}
