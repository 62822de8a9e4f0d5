// libev's values (ev.h); test/constants.test.ts checks them against the header
// the addon was compiled with.

/** Event bits. */
export const READ = 0x1;
export const WRITE = 0x2;
export const READWRITE = 0x3;
export const TIMER = 0x100;
export const PERIODIC = 0x200;
export const SIGNAL = 0x400;
export const CHILD = 0x800;
export const STAT = 0x1000;
export const IDLE = 0x2000;
export const PREPARE = 0x4000;
export const CHECK = 0x8000;
export const EMBED = 0x10000;
export const FORK = 0x20000;
export const CLEANUP = 0x40000;
export const ASYNC = 0x80000;
export const CUSTOM = 0x1000000;
export const ERROR = 0x80000000;

/**
 * The largest time argument evkit accepts, in seconds (about 317 years; it
 * also covers absolute wall-clock times for `Periodic`). Beyond it libev's
 * float arithmetic goes wrong: a timer fires at once, a periodic spins.
 */
export const MAX_TIME = 1e10;

/** Watcher priorities. */
export const MINPRI = -2;
export const MAXPRI = 2;

/** Backends. */
export const BACKEND_SELECT = 0x1;
export const BACKEND_POLL = 0x2;
export const BACKEND_EPOLL = 0x4;
export const BACKEND_KQUEUE = 0x8;
export const BACKEND_DEVPOLL = 0x10;
export const BACKEND_PORT = 0x20;
export const BACKEND_LINUXAIO = 0x40;
export const BACKEND_IOURING = 0x80;
/** Every backend bit libev knows. */
export const BACKEND_ALL = 0xff;
/** The bits of a flags value that select backends. */
export const BACKEND_MASK = 0xffff;

/** Loop flags. */
export const FLAG_NOINOTIFY = 0x00100000;
export const FLAG_SIGNALFD = 0x00200000;
export const FLAG_NOSIGMASK = 0x00400000;
export const FLAG_NOTIMERFD = 0x00800000;
export const FLAG_NOENV = 0x01000000;
export const FLAG_FORKCHECK = 0x02000000;
