// loop.monitorDelay(): how late the loop runs a timer, as perf_hooks'
// monitorEventLoopDelay measures Node's own loop.
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { WatcherKind } from '@evkit/core-native/binding';
import type { Loop } from './loop.js';
import { checkInteger, checkOptions } from './validate.js';
import { Watcher, type NativeKind } from './watcher.js';

/** What `loop.monitorDelay()` takes. */
export interface MonitorDelayOptions {
  /** Milliseconds between samples, an integer ≥ 1 (default 10, as Node's). */
  resolution?: number;
}

/** A histogram of the loop's delays in nanoseconds, sampled while enabled (like Node's `IntervalHistogram`). */
export type LoopDelayHistogram = RecordableHistogram & {
  /** Starts sampling; false when it was sampling already. */
  enable(): boolean;
  /** Stops sampling; false when it was not sampling. */
  disable(): boolean;
};

const TIMER: NativeKind = { kind: WatcherKind.Timer };

/** The sampling timer: unref'd, so it never keeps the loop alive. */
class SampleTimer extends Watcher<[]> {
  constructor(loop: Loop, seconds: number) {
    super(loop, { ref: false }, seconds, seconds);
  }

  protected override get nativeKind(): NativeKind {
    return TIMER;
  }
}

export function monitorDelay(loop: Loop, options?: MonitorDelayOptions): LoopDelayHistogram {
  const opts = checkOptions('options', options);
  const resolution = opts.resolution ?? 10;
  checkInteger('options.resolution', resolution, 1, 0x7fffffff);
  const histogram = createHistogram() as LoopDelayHistogram;
  const timer = new SampleTimer(loop, resolution / 1000);
  let last = 0;
  const sample = (): void => {
    const now = performance.now();
    // How much later than one resolution after the previous sample (ns, ≥ 1 as histograms need).
    histogram.record(Math.max(1, Math.round((now - last - resolution) * 1e6)));
    last = now;
  };
  histogram.enable = () => {
    if (timer.closed || timer.active) return false;
    last = performance.now();
    timer.start(sample);
    return true;
  };
  histogram.disable = () => {
    if (timer.closed || !timer.active) return false;
    timer.stop();
    return true;
  };
  return histogram;
}
