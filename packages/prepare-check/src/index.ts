export { Prepare, Check, Idle, type PhaseWatcherOptions } from './phase-watchers.js';
