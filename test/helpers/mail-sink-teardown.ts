import type { MailSinkGlobals } from './mail-sink-global.js';

export default async function mailSinkGlobalTeardown(): Promise<void> {
  const globals = globalThis as MailSinkGlobals;
  const sink = globals.__mailSink;
  if (!sink) return;
  globals.__mailSink = undefined;
  // Keep-alive sockets from workers' fetch would otherwise hold http.close() open.
  sink.http.closeAllConnections();
  await Promise.all([
    new Promise<void>((resolve) => sink.smtp.close(() => resolve())),
    new Promise<void>((resolve) => sink.http.close(() => resolve())),
  ]);
}
