/**
 * `facetag status`'s "daemon:" line: whether a daemon holds this data folder (its lock), and if so
 * what it says of itself on /readyz (ready, starting, or paused and why). Reads only.
 */
import type { Config } from '../config/schema.js';
import { daemonUrl, dataDirInUse } from '../store/daemon-lock.js';

const ASK_MS = 1500;

export async function daemonState(config: Pick<Config, 'dataDir' | 'http'>): Promise<string> {
  if (!dataDirInUse(config.dataDir)) return 'not running';
  if (!config.http.enabled) return 'running (HTTP API off: no more to say)';
  const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
  const base = daemonUrl(config.dataDir) ?? `http://${host}:${config.http.port}`;
  try {
    const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(ASK_MS) });
    const body: unknown = await res.json();
    const reason =
      typeof body === 'object' && body !== null && 'reason' in body && typeof body.reason === 'string'
        ? body.reason
        : undefined;
    return res.ok ? 'running, working normally' : `running, ${reason ?? `not ready (${res.status})`}`;
  } catch {
    return `running (no answer from ${base}/readyz)`;
  }
}
