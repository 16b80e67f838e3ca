import { pino } from 'pino';

/** The simulated workers log nothing: thousands of them would drown the table. */
export const silentLogger = pino({ level: 'silent' });
