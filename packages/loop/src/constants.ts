// libev's values (ev.h); test/constants.test.ts checks them against the header
// the addon was compiled with.

// Event bits: what a watcher's callback was called for (`revents`), and what
// an Io watches. eventsToString() names them.

/** Event bit: the fd is readable (`EV_READ`); also what an `Io` watches for input. */
export const READ = 0x1;
/** Event bit: the fd is writable (`EV_WRITE`). */
export const WRITE = 0x2;
/** `READ | WRITE`: an `Io` that fires on either readiness. */
export const READWRITE = 0x3;
/** Event bit: a `Timer` expired (`EV_TIMER`). */
export const TIMER = 0x100;
/** Event bit: a `Periodic` reached its time (`EV_PERIODIC`). */
export const PERIODIC = 0x200;
/** Event bit: a `Signal` was received (`EV_SIGNAL`). */
export const SIGNAL = 0x400;
/** Event bit of libev's child watcher (`EV_CHILD`); evkit has no such watcher (use `child_process`). */
export const CHILD = 0x800;
/** Event bit: a `Stat` watcher saw its path change (`EV_STAT`). */
export const STAT = 0x1000;
/** Event bit: an `Idle` watcher ran (`EV_IDLE`). */
export const IDLE = 0x2000;
/** Event bit: a `Prepare` watcher ran before the loop blocked (`EV_PREPARE`). */
export const PREPARE = 0x4000;
/** Event bit: a `Check` watcher ran after the loop woke (`EV_CHECK`). */
export const CHECK = 0x8000;
/** Event bit of libev's embed watcher (`EV_EMBED`); evkit has no such watcher. */
export const EMBED = 0x10000;
/** Event bit: a `Fork` watcher ran after `loop.reinit()` (`EV_FORK`). */
export const FORK = 0x20000;
/** Event bit of a cleanup watcher (`EV_CLEANUP`): a `Cleanup` callback gets it when its loop is destroyed. */
export const CLEANUP = 0x40000;
/** Event bit: an `Async` watcher was sent to (`EV_ASYNC`). */
export const ASYNC = 0x80000;
/** Event bit libev leaves to users (`EV_CUSTOM`), e.g. for `watcher.feed(CUSTOM)`. */
export const CUSTOM = 0x1000000;
/** Event bit: an error on the watcher (`EV_ERROR`); an `Io` gets it from `closingFd()`. */
export const ERROR = 0x80000000;

/**
 * The largest time argument evkit accepts, in seconds (about 317 years; it
 * also covers absolute wall-clock times for `Periodic`). Beyond it libev's
 * float arithmetic goes wrong: a timer fires at once, a periodic spins.
 */
export const MAX_TIME = 1e10;

/** The lowest watcher priority (`EV_MINPRI`): pending watchers of a higher priority run first. */
export const MINPRI = -2;
/** The highest watcher priority (`EV_MAXPRI`): such watchers run before the other pending ones. */
export const MAXPRI = 2;

// Backends: the kernel interface a loop polls with; the `flags` of `new Loop()`
// may name several, and libev picks one of them.

/** Backend bit: `select(2)` (`EVBACKEND_SELECT`), available everywhere. */
export const BACKEND_SELECT = 0x1;
/** Backend bit: `poll(2)` (`EVBACKEND_POLL`). */
export const BACKEND_POLL = 0x2;
/** Backend bit: Linux `epoll` (`EVBACKEND_EPOLL`). */
export const BACKEND_EPOLL = 0x4;
/** Backend bit: BSD and macOS `kqueue` (`EVBACKEND_KQUEUE`). */
export const BACKEND_KQUEUE = 0x8;
/** Backend bit: Solaris `/dev/poll` (`EVBACKEND_DEVPOLL`); libev has not implemented it, so no loop uses it. */
export const BACKEND_DEVPOLL = 0x10;
/** Backend bit: Solaris event ports (`EVBACKEND_PORT`). */
export const BACKEND_PORT = 0x20;
/** Backend bit: Linux AIO (`EVBACKEND_LINUXAIO`). */
export const BACKEND_LINUXAIO = 0x40;
/** Backend bit: Linux io_uring (`EVBACKEND_IOURING`). */
export const BACKEND_IOURING = 0x80;
/** Every backend bit libev knows. */
export const BACKEND_ALL = 0xff;
/** The bits of a flags value that select backends. */
export const BACKEND_MASK = 0xffff;

// Loop flags: they change how a loop works rather than what it polls with.

/** Loop flag: `Stat` watchers poll instead of using inotify (`EVFLAG_NOINOTIFY`). */
export const FLAG_NOINOTIFY = 0x00100000;
/** Loop flag: libev's own signal watchers use a signalfd (`EVFLAG_SIGNALFD`); evkit's `Signal` does not go through them. */
export const FLAG_SIGNALFD = 0x00200000;
/** Loop flag: libev leaves the thread's signal mask alone (`EVFLAG_NOSIGMASK`). */
export const FLAG_NOSIGMASK = 0x00400000;
/** Loop flag: libev notices clock jumps without a timerfd (`EVFLAG_NOTIMERFD`). */
export const FLAG_NOTIMERFD = 0x00800000;
/** Loop flag: libev ignores the `LIBEV_FLAGS` environment variable (`EVFLAG_NOENV`); evkit always adds it. */
export const FLAG_NOENV = 0x01000000;
/** Loop flag: libev checks the process id on every iteration and reinitialises itself after a fork (`EVFLAG_FORKCHECK`). */
export const FLAG_FORKCHECK = 0x02000000;
