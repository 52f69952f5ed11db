import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Redaction is a second line of defence: code never passes secrets to the
 * logger, but a stray request body or header must not leak one either.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'authflow' },
      redact: {
        paths: [
          'password', '*.password', 'newPassword', '*.newPassword', 'token', '*.token', 'code', '*.code',
          'client_secret', '*.client_secret', 'refresh_token', '*.refresh_token', 'access_token', '*.access_token',
          'id_token', '*.id_token', 'code_verifier', '*.code_verifier', 'headers.authorization', 'headers.cookie',
          '*.headers.authorization', '*.headers.cookie', '_csrf', '*._csrf',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
