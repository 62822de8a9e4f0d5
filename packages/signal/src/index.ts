export { Signal, type SignalOptions } from './signal.js';
export { signalled, AbortError, type SignalledOptions } from './once.js';
