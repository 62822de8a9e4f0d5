export { Stat, type StatOptions, type StatPath } from './stat.js';
export { FileStats } from './file-stats.js';
export { changed, AbortError, type ChangedOptions } from './once.js';
