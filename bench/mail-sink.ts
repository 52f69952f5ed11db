import { SMTPServer } from 'smtp-server';

/**
 * Where AuthFlow's email goes during the benchmark: a local SMTP server that accepts and
 * discards, so sending costs AuthFlow what it costs against a real relay, minus the network.
 */
export async function startMailSink(): Promise<{ url: string; count(): number; close(): Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received += 1;
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port)));
  return {
    url: `smtp://127.0.0.1:${port}`,
    count: () => received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
