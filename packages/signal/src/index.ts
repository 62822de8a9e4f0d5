export { Signal, type SignalOptions } from './signal.js';
