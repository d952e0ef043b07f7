import { statfs } from 'node:fs/promises';

/**
 * Filesystems where inotify only sees changes made through this machine: a photo copied onto the
 * NAS from a phone or another PC never produces an event. Roots on these are rescanned on an
 * interval instead of watched. Magic numbers from Linux's include/uapi/linux/magic.h and the
 * filesystems' own headers. FUSE is left out: it is also how local disks are mounted (ntfs-3g,
 * mergerfs), where inotify works.
 */
const NETWORK_FS_MAGIC: ReadonlyMap<number, string> = new Map([
  [0x6969, 'nfs'],
  [0xff534d42, 'cifs'],
  [0xfe534d42, 'smb2'],
  [0x517b, 'smb'],
  [0x01021997, '9p'],
  [0x00c36400, 'ceph'],
  [0x5346414f, 'afs'],
  [0x6b414653, 'afs'],
  [0x73757245, 'coda'],
  [0x0bd00bd0, 'lustre'],
  [0x47504653, 'gpfs'],
  [0x564c, 'ncp'],
]);

/** The network filesystem a statfs `type` denotes, or undefined for a local one. */
export function networkFsName(type: number): string | undefined {
  // `>>> 0`: a 32-bit magic may come back sign-extended through a signed f_type.
  return NETWORK_FS_MAGIC.get(type >>> 0);
}

/** The network filesystem `dir` is on, or undefined when local or unknown (statfs failed). */
export async function networkFsOf(dir: string): Promise<string | undefined> {
  try {
    return networkFsName((await statfs(dir)).type);
  } catch {
    return undefined;
  }
}
