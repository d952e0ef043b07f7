import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DgramSocket } from 'node-unix-socket';
import { tmpDir } from './paths.js';

/** A datagram as systemd would receive it on NOTIFY_SOCKET. */
export interface NotifyMessage {
  /** performance.now() when it arrived. */
  at: number;
  text: string;
  /** KEY=VALUE lines; WATCHDOG=1 gives { WATCHDOG: '1' }. */
  fields: Record<string, string>;
}

export interface NotifySocket {
  /** The value for NOTIFY_SOCKET. */
  readonly path: string;
  readonly messages: readonly NotifyMessage[];
  /** The first message so far or later that matches; rejects after timeoutMs. */
  waitFor(predicate: (m: NotifyMessage) => boolean, timeoutMs?: number): Promise<NotifyMessage>;
  close(): Promise<void>;
}

/** A fake systemd notify socket in a fresh temporary directory. Close it, or the test never ends. */
export async function startNotifySocket(): Promise<NotifySocket> {
  const dir = await tmpDir('facetag-notify-');
  const path = join(dir, 'notify');
  const socket = new DgramSocket();
  socket.bind(path);
  const messages: NotifyMessage[] = [];
  const waiters = new Set<(m: NotifyMessage) => void>();
  socket.on('data', (buf: Buffer) => {
    const text = buf.toString('utf8');
    const message = { at: performance.now(), text, fields: parseFields(text) };
    messages.push(message);
    for (const w of [...waiters]) w(message);
  });

  return {
    path,
    messages,
    waitFor(predicate, timeoutMs = 5000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const check = (m: NotifyMessage) => {
          if (!predicate(m)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const got = messages.map((m) => JSON.stringify(m.text)).join(', ');
          reject(new Error(`no matching notify message within ${timeoutMs} ms; got: ${got || 'none'}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    async close() {
      socket.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function parseFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) fields[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return fields;
}
