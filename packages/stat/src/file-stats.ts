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
 * described themselves (lstat), not followed. A `Stat` watcher's `attr`,
 * `prev` and `stat()` give these.
 *
 * @example
 * ```ts
 * const stats = watcher.attr;
 * if (stats !== null && stats.isFile()) {
 *   console.log(stats.size, 'bytes, modified', stats.mtime.toISOString());
 * }
 * ```
 */
export class FileStats {
  /** The device the file is on. */
  readonly dev: number;
  /** The inode number. */
  readonly ino: number;
  /** File type and permission bits (`st_mode`). */
  readonly mode: number;
  /** The number of hard links. */
  readonly nlink: number;
  /** The owner's user id. */
  readonly uid: number;
  /** The owner's group id. */
  readonly gid: number;
  /** The device a device file stands for. */
  readonly rdev: number;
  /** Size in bytes (of the link itself for a symbolic link). */
  readonly size: number;
  /** The file system's preferred block size for I/O. */
  readonly blksize: number;
  /** The number of 512-byte blocks allocated. */
  readonly blocks: number;
  /** Last access, in milliseconds since the epoch. */
  readonly atimeMs: number;
  /** Last change of the contents, in milliseconds since the epoch. */
  readonly mtimeMs: number;
  /** Last change of the contents or attributes (the inode), in milliseconds since the epoch. */
  readonly ctimeMs: number;
  /** `atimeMs` exactly, in nanoseconds. */
  readonly atimeNs: bigint;
  /** `mtimeMs` exactly, in nanoseconds. */
  readonly mtimeNs: bigint;
  /** `ctimeMs` exactly, in nanoseconds. */
  readonly ctimeNs: bigint;

  /** From the binding's 16-number layout (see NativeStat.attr); a `Stat` watcher makes these. */
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

  /** `atimeMs` as a Date. */
  get atime(): Date {
    return new Date(this.atimeMs);
  }

  /** `mtimeMs` as a Date. */
  get mtime(): Date {
    return new Date(this.mtimeMs);
  }

  /** `ctimeMs` as a Date. */
  get ctime(): Date {
    return new Date(this.ctimeMs);
  }

  /**
   * Whether the path is a regular file.
   *
   * @example
   * ```ts
   * if (watcher.attr?.isFile()) console.log('a regular file');
   * ```
   */
  isFile(): boolean {
    return (this.mode & S_IFMT) === S_IFREG;
  }

  /**
   * Whether the path is a directory.
   *
   * @example
   * ```ts
   * if (watcher.attr?.isDirectory()) console.log('a directory');
   * ```
   */
  isDirectory(): boolean {
    return (this.mode & S_IFMT) === S_IFDIR;
  }

  /**
   * Whether the path is a symbolic link (lstat: the link itself, not what it points to).
   *
   * @example
   * ```ts
   * if (watcher.attr?.isSymbolicLink()) console.log('a symbolic link');
   * ```
   */
  isSymbolicLink(): boolean {
    return (this.mode & S_IFMT) === S_IFLNK;
  }

  /**
   * Whether the path is a FIFO (named pipe).
   *
   * @example
   * ```ts
   * if (watcher.attr?.isFIFO()) console.log('a FIFO');
   * ```
   */
  isFIFO(): boolean {
    return (this.mode & S_IFMT) === S_IFIFO;
  }

  /**
   * Whether the path is a Unix domain socket.
   *
   * @example
   * ```ts
   * if (watcher.attr?.isSocket()) console.log('a socket');
   * ```
   */
  isSocket(): boolean {
    return (this.mode & S_IFMT) === S_IFSOCK;
  }

  /**
   * Whether the path is a block device.
   *
   * @example
   * ```ts
   * if (watcher.attr?.isBlockDevice()) console.log('a block device');
   * ```
   */
  isBlockDevice(): boolean {
    return (this.mode & S_IFMT) === S_IFBLK;
  }

  /**
   * Whether the path is a character device (a tty, `/dev/null`, ...).
   *
   * @example
   * ```ts
   * if (watcher.attr?.isCharacterDevice()) console.log('a character device');
   * ```
   */
  isCharacterDevice(): boolean {
    return (this.mode & S_IFMT) === S_IFCHR;
  }
}
