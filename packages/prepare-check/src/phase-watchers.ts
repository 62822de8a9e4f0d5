import { WatcherKind } from '@evkit/core-native/binding';
import { Watcher, type Loop, type NativeKind, type WatcherOptions } from '@evkit/loop';

export type PhaseWatcherOptions = WatcherOptions;

const PREPARE: NativeKind = { kind: WatcherKind.Prepare };
const CHECK: NativeKind = { kind: WatcherKind.Check };
const IDLE: NativeKind = { kind: WatcherKind.Idle };

/**
 * Runs its callback once per loop iteration, just before the loop blocks for
 * events (`ev_prepare`). Prepares started by the user run before the loop's
 * `runCallback` queue.
 */
export class Prepare<A extends unknown[] = unknown[]> extends Watcher<A> {
  constructor(loop: Loop, options?: PhaseWatcherOptions) {
    super(loop, options);
  }

  protected override get nativeKind(): NativeKind {
    return PREPARE;
  }
}

/** Runs its callback once per loop iteration, just after the loop wakes from polling (`ev_check`). */
export class Check<A extends unknown[] = unknown[]> extends Watcher<A> {
  constructor(loop: Loop, options?: PhaseWatcherOptions) {
    super(loop, options);
  }

  protected override get nativeKind(): NativeKind {
    return CHECK;
  }
}

/**
 * Runs its callback on every iteration in which no watcher of the same or a
 * higher priority is pending (`ev_idle`); while active the loop never blocks.
 */
export class Idle<A extends unknown[] = unknown[]> extends Watcher<A> {
  constructor(loop: Loop, options?: PhaseWatcherOptions) {
    super(loop, options);
  }

  protected override get nativeKind(): NativeKind {
    return IDLE;
  }
}
