export { Io, closingFd, type IoOptions, type IoCallback } from './io.js';
export { readable, writable, AbortError, type ReadinessOptions } from './readiness.js';
export { once, type OnceCallback, type OnceOptions } from './once.js';
export type { IoEvents } from './check.js';
