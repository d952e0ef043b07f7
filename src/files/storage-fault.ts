/**
 * Errors that mean "the disk cannot take writes now" rather than "this photo" or "a bug": a full
 * disk or database, an I/O error, a read-only or over-quota file system. The daemon pauses on
 * them and resumes once writes succeed again (src/daemon/storage-health.ts).
 */
import { errnoCode } from './errno.js';

const CODES = new Set(['SQLITE_FULL', 'SQLITE_READONLY', 'ENOSPC', 'EIO', 'EDQUOT', 'EROFS']);

/** The fault's code (SQLITE_FULL, SQLITE_IOERR_WRITE, ENOSPC...), or undefined for any other error. */
export function storageFaultCode(err: unknown): string | undefined {
  const code = errnoCode(err);
  if (code === undefined) return undefined;
  return CODES.has(code) || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY') ? code : undefined;
}

/** What the code means, for a person reading the log or `facetag status`. */
export function storageFaultText(code: string): string {
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return 'the disk (or the database) is full';
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') return 'the data folder is read-only';
  return 'the disk reports an I/O error';
}
