// A minimal watcher kind for testing the base class without a watcher package.
import { WatcherKind, binding } from '@evkit/core-native/binding';
import { Watcher, type Loop, type NativeKind, type WatcherOptions } from '@evkit/loop';

export class TestIdle<A extends unknown[] = unknown[]> extends Watcher<A> {
  constructor(loop: Loop, options?: WatcherOptions) {
    super(loop, options);
  }

  protected override get nativeKind(): NativeKind {
    return { kind: WatcherKind.Idle };
  }
}

export class TestPrepare<A extends unknown[] = unknown[]> extends Watcher<A> {
  constructor(loop: Loop, options?: WatcherOptions) {
    super(loop, options);
  }

  protected override get nativeKind(): NativeKind {
    return { kind: WatcherKind.Prepare };
  }
}

export class TestTimer<A extends unknown[] = unknown[]> extends Watcher<A> {
  constructor(loop: Loop, after: number, repeat = 0, options?: WatcherOptions) {
    super(loop, options, after, repeat);
  }

  protected override get nativeKind(): NativeKind {
    return { kind: WatcherKind.Timer };
  }
}
