export { Timer, type TimerOptions } from './timer.js';
export { Periodic, type PeriodicOptions } from './periodic.js';
export { sleep, AbortError, type SleepOptions } from './sleep.js';
