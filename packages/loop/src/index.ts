export { Loop, type LoopOptions, type RunOptions, type BreakHow, type LoopStats } from './loop.js';
export type { LoopDelayHistogram, MonitorDelayOptions } from './delay-monitor.js';
export type { ErrorHandler, ErrorContext } from './loop-state.js';
export type { IterateOptions } from './iterate.js';
export { Watcher, type WatcherOptions, type WatcherCallback, type WatcherCallbackOf, type IterationValueOf, type NativeKind } from './watcher.js';
export { Callback, type CallbackFunction } from './callback.js';
export { EvError, LoopDestroyedError, WatcherClosedError } from './errors.js';
export { flagsToInt, flagsToList, eventsToString, backendName } from './flags.js';
export * from './constants.js';
