import { pino, type Logger } from 'pino';

export type { Logger };

/** The logger used when the caller passes none: silent, so a library never writes unasked. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
