import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Structured logs that never carry a secret: requests are logged as their ID, method, path (no
 * query string: a client may wrongly put credentials there) and address, never their headers or
 * body; the redact paths guard the places a secret could still be put by a log call.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          'headers.cookie',
          'body.client_secret',
          'client_secret',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: {
          id: string;
          method: string;
          url: string;
          ip?: string;
          socket?: { remoteAddress?: string };
        }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
          remoteAddress: req.ip ?? req.socket?.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
    destination,
  );
}
