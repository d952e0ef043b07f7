import { readdir, readFile } from 'node:fs/promises';

/**
 * inotify watches a process holds: one `inotify wd:` line per watch in /proc/<pid>/fdinfo/<fd>
 * of its inotify descriptors (proc(5)). Linux only; undefined where /proc cannot be read.
 * For the benchmark, tests, and status output.
 */
export async function countInotifyWatches(pid: number | 'self' = 'self'): Promise<number | undefined> {
  const dir = `/proc/${pid}/fdinfo`;
  let fds: string[];
  try {
    fds = await readdir(dir);
  } catch {
    return undefined;
  }
  let watches = 0;
  for (const fd of fds) {
    // An fd can close between the listing and the read; it then holds no watches.
    const text = await readFile(`${dir}/${fd}`, 'utf8').catch(() => '');
    for (let at = text.indexOf('inotify wd:'); at >= 0; at = text.indexOf('inotify wd:', at + 1)) watches++;
  }
  return watches;
}
