export { Stat, type StatOptions, type StatPath } from './stat.js';
export { FileStats } from './file-stats.js';
