// The attributes a Stat watcher read with lstat(), shaped like node:fs Stats.

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const S_IFIFO = 0o010000;
const S_IFSOCK = 0o140000;
const S_IFBLK = 0o060000;
const S_IFCHR = 0o020000;

function ns(sec: number, nsec: number): bigint {
  return BigInt(sec) * 1_000_000_000n + BigInt(nsec);
}

/**
 * An `fs.Stats`-like snapshot of `lstat()`: the usual numeric fields, times in
 * milliseconds (`atimeMs`, ...) and, exactly, in nanoseconds (`atimeNs`, ...,
 * bigint), `Date` getters and the `isFile()` family. Symbolic links are
 * described themselves (lstat), not followed.
 */
export class FileStats {
  readonly dev: number;
  readonly ino: number;
  readonly mode: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly rdev: number;
  readonly size: number;
  readonly blksize: number;
  readonly blocks: number;
  readonly atimeMs: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly atimeNs: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;

  /** From the binding's 16-number layout (see NativeStat.attr). */
  constructor(raw: ArrayLike<number>) {
    this.dev = raw[0]!;
    this.ino = raw[1]!;
    this.mode = raw[2]!;
    this.nlink = raw[3]!;
    this.uid = raw[4]!;
    this.gid = raw[5]!;
    this.rdev = raw[6]!;
    this.size = raw[7]!;
    this.blksize = raw[8]!;
    this.blocks = raw[9]!;
    this.atimeMs = raw[10]! * 1e3 + raw[11]! / 1e6;
    this.mtimeMs = raw[12]! * 1e3 + raw[13]! / 1e6;
    this.ctimeMs = raw[14]! * 1e3 + raw[15]! / 1e6;
    this.atimeNs = ns(raw[10]!, raw[11]!);
    this.mtimeNs = ns(raw[12]!, raw[13]!);
    this.ctimeNs = ns(raw[14]!, raw[15]!);
  }

  get atime(): Date {
    return new Date(this.atimeMs);
  }

  get mtime(): Date {
    return new Date(this.mtimeMs);
  }

  get ctime(): Date {
    return new Date(this.ctimeMs);
  }

  isFile(): boolean {
    return (this.mode & S_IFMT) === S_IFREG;
  }

  isDirectory(): boolean {
    return (this.mode & S_IFMT) === S_IFDIR;
  }

  isSymbolicLink(): boolean {
    return (this.mode & S_IFMT) === S_IFLNK;
  }

  isFIFO(): boolean {
    return (this.mode & S_IFMT) === S_IFIFO;
  }

  isSocket(): boolean {
    return (this.mode & S_IFMT) === S_IFSOCK;
  }

  isBlockDevice(): boolean {
    return (this.mode & S_IFMT) === S_IFBLK;
  }

  isCharacterDevice(): boolean {
    return (this.mode & S_IFMT) === S_IFCHR;
  }
}
