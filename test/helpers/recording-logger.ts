/** A real logger whose JSON lines are kept for the test to read (no rate limit, no prefix). */
import * as z from 'zod';
import { createLogger, type Logger } from '../../src/core/logger.js';

export interface LoggedLine {
  readonly level: string;
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

const line = z.looseObject({ level: z.string(), msg: z.string() });

export function recordingLogger(): { log: Logger; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const log = createLogger({
    level: 'debug',
    rateLimit: false,
    syslogPrefix: false,
    write: (text) => {
      const { level, msg, ...fields } = line.parse(JSON.parse(text));
      lines.push({ level, msg, fields });
    },
  });
  return { log, lines };
}
