/**
 * A photo's identity: SHA-256 of its bytes (issue 4, "Identity"). Streamed through one reused 1 MiB
 * buffer, so hashing a 100 MB panorama costs 1 MiB of memory, not 100 MB.
 *
 * Speed, measured by `bench/reconcile.ts` on this project's 2-core AMD EPYC (Node 20.20, OpenSSL
 * using the CPU's SHA extensions), a 256 MiB file in the page cache: 1.3–1.8 GB/s (2026-11-28), so
 * a 5 MB phone photo costs ~3 ms once read. Still, it is only paid when stat says a file is new or
 * changed: re-hashing a 100k-photo (~500 GB) library at every start would mean reading all of it,
 * minutes from a local disk and hours over SMB.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/** Lowercase hex SHA-256 of a file's bytes. Injected where tests need to count or fake hashing. */
export type Hasher = (path: string) => Promise<string>;

const CHUNK = 1 << 20;

/** SHA-256 (hex) of the file at `path`, read sequentially in 1 MiB chunks. */
export const hashFile: Hasher = async (path) => {
  const hash = createHash('sha256');
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
};

/** SHA-256 (hex) of bytes already in memory; equal to hashFile of a file holding them. */
export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
