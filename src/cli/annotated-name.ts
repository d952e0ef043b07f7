import { basename, extname, join } from 'node:path';

/** `<stem>.annotated.jpg`, or `<stem>-2.annotated.jpg`... when photos in different folders share a name. */
export function annotatedName(dir: string, file: string, used: Set<string>): string {
  const stem = basename(file, extname(file));
  let name = `${stem}.annotated.jpg`;
  for (let n = 2; used.has(name); n++) name = `${stem}-${n}.annotated.jpg`;
  used.add(name);
  return join(dir, name);
}
