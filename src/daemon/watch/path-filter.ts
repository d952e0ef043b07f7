import { isHiddenName, isOwnOutputName, isSkippedFolderName, isTempName } from '../../files/ignore-rules.js';
import { isSupportedImagePath } from '../../files/image-types.js';
import type { GlobSet } from './glob.js';

/**
 * Which paths under a root the watcher reports. Relative paths are root-relative and
 * `/`-separated; absolute paths are what the events carry (and what `isOwnFile` is asked about).
 */
export class PathFilter {
  readonly #include: GlobSet;
  readonly #exclude: GlobSet;
  readonly #isOwnFile: ((path: string) => boolean) | undefined;

  constructor(include: GlobSet, exclude: GlobSet, isOwnFile?: (path: string) => boolean) {
    this.#include = include;
    this.#exclude = exclude;
    this.#isOwnFile = isOwnFile;
  }

  /** A folder to look into: no hidden or system folder on the way, not excluded. */
  wantsFolder(rel: string): boolean {
    for (const seg of rel.split('/')) if (isSkippedFolderName(seg)) return false;
    return !this.#exclude.matches(rel);
  }

  /** A photo to announce. */
  wantsFile(path: string, rel: string): boolean {
    const slash = rel.lastIndexOf('/');
    const name = rel.slice(slash + 1);
    if (isHiddenName(name) || isTempName(name) || isOwnOutputName(name) || !isSupportedImagePath(name)) return false;
    if (slash >= 0 && !this.wantsFolder(rel.slice(0, slash))) return false;
    if (this.#exclude.matches(rel)) return false;
    if (!this.#include.isEmpty && !this.#include.matches(rel)) return false;
    return !this.#ownFile(path);
  }

  /**
   * A deleted path to report. Once it is gone we cannot tell a file from a folder, so a name
   * without an image extension is reported when it could have been a folder we looked into;
   * consumers treat a removal as "this path and everything under it".
   */
  wantsRemoval(path: string, rel: string): boolean {
    // A folder named like a photo ("Trip.jpg/") is rare enough to be left to the next rescan.
    if (isSupportedImagePath(rel)) return this.wantsFile(path, rel);
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    if (isTempName(name) || isOwnOutputName(name)) return false;
    return this.wantsFolder(rel) && !this.#ownFile(path);
  }

  #ownFile(path: string): boolean {
    return this.#isOwnFile?.(path) === true;
  }
}
