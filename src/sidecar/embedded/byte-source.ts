import type { FileHandle } from 'node:fs/promises';

/** Random-access reads over a photo's bytes (a file, or a buffer in tests). Read-only by construction. */
export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes from `position` (fewer at the end of the data). */
  read(position: number, length: number): Promise<Buffer>;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    size: buf.length,
    read: async (position, length) =>
      buf.subarray(Math.min(position, buf.length), Math.min(position + length, buf.length)),
  };
}

export function fileSource(handle: FileHandle, size: number): ByteSource {
  return {
    size,
    read: async (position, length) => {
      const n = Math.max(0, Math.min(length, size - position));
      const buf = Buffer.alloc(n);
      let done = 0;
      while (done < n) {
        const { bytesRead } = await handle.read(buf, done, n - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buf.subarray(0, done);
    },
  };
}
