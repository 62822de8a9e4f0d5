export { Prepare, Check, Idle, type PhaseWatcherOptions } from './phase-watchers.js';
export { Cleanup, type CleanupOptions } from './cleanup.js';
