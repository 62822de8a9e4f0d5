// A minimal watcher kind for testing the base class without a watcher package.
import { binding } from '@evkit/core-native/binding';
import { Watcher, type Loop, type WatcherOptions } from '@evkit/loop';

export class TestIdle<A extends unknown[] = unknown[]> extends Watcher<A> {
  constructor(loop: Loop, options?: WatcherOptions) {
    super(loop, (native, owner) => new binding.Idle(native, owner), options);
  }
}

export class TestPrepare<A extends unknown[] = unknown[]> extends Watcher<A> {
  constructor(loop: Loop, options?: WatcherOptions) {
    super(loop, (native, owner) => new binding.Prepare(native, owner), options);
  }
}

export class TestTimer<A extends unknown[] = unknown[]> extends Watcher<A> {
  constructor(loop: Loop, after: number, repeat = 0, options?: WatcherOptions) {
    super(loop, (native, owner) => new binding.Timer(native, owner, after, repeat), options);
  }
}
