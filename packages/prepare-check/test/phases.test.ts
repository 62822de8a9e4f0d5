// Loop-phase semantics. Invariants:
// - one iteration runs prepare → (runCallback queue) → poll → check;
// - prepare and check run once per iteration;
// - idle runs only when nothing of the same or a higher priority is pending,
//   and while an idle watcher is active the loop never blocks;
// - a watcher may stop itself, and once stopped its callback never runs again.
import { describe, expect, it } from 'vitest';
import { CHECK, Loop } from '@evkit/loop';
import { Check, Idle, Prepare } from '@evkit/prepare-check';
import { useFreshLoop } from '@evkit/test-utils';

describe('order within one run()', () => {
  const fresh = useFreshLoop();

  it('one run() goes prepare, runCallback, check, idle', () => {
    const loop = fresh();
    const order: string[] = [];
    const once = (name: string) =>
      function (this: Prepare | Check | Idle) {
        order.push(name);
        this.stop();
      };
    new Prepare(loop).start(once('prepare'));
    loop.runCallback(() => order.push('callback'));
    new Check(loop).start(once('check'));
    new Idle(loop).start(once('idle'));
    loop.run();
    expect(order).toEqual(['prepare', 'callback', 'check', 'idle']);
  });

  it('prepare and check run once per iteration, around the poll', () => {
    const loop = fresh();
    const log: Array<[string, number]> = [];
    let n = 0;
    const prepare = new Prepare(loop).start(() => log.push(['prepare', loop.iteration]));
    const check = new Check(loop).start(() => log.push(['check', loop.iteration]));
    const idle = new Idle(loop).start(() => {
      if (++n === 3) {
        idle.stop();
        prepare.stop();
        check.stop();
      }
    });
    loop.run();
    const prepares = log.filter(([k]) => k === 'prepare');
    const checks = log.filter(([k]) => k === 'check');
    expect(prepares.length).toBe(3);
    expect(checks.length).toBe(3);
    for (let i = 0; i < 3; i++) {
      // iteration goes up between the prepare and the check of one round
      expect(checks[i]![1]).toBe(prepares[i]![1] + 1);
    }
  });

  it('a check runs before an idle of the same iteration', () => {
    const loop = fresh();
    const order: string[] = [];
    const idle = new Idle(loop).start(() => {
      order.push('idle');
      idle.stop();
      check.stop();
    });
    const check = new Check(loop).start(() => order.push('check'));
    loop.run();
    expect(order).toEqual(['check', 'idle']);
  });

  it('a watcher stopped by another callback of the same batch does not run', () => {
    const loop = fresh();
    const order: string[] = [];
    const stopBoth = (name: string) => () => {
      order.push(name);
      a.stop();
      b.stop();
    };
    const a = new Idle(loop).start(stopBoth('a'));
    const b = new Idle(loop).start(stopBoth('b'));
    loop.run();
    expect(order.length).toBe(1);
  });
});

describe('priorities', () => {
  const fresh = useFreshLoop();

  it('idle at -2 runs an iteration after idle at 2 (Perl EV t/05_priority.t)', () => {
    const loop = fresh();
    const ran: Array<[number, number]> = [];
    for (const priority of [2, 1, 0, -1, -2]) {
      const idle = new Idle(loop, { priority }).start(() => {
        ran.push([priority, loop.iteration]);
        idle.stop();
      });
    }
    loop.run();
    expect(ran.map(([p]) => p)).toEqual([2, 1, 0, -1, -2]);
    const iterations = ran.map(([, i]) => i);
    for (let k = 1; k < iterations.length; k++) expect(iterations[k]).toBe(iterations[k - 1]! + 1);
  });

  it('pending watchers run in priority order within a batch', () => {
    const loop = fresh();
    const order: number[] = [];
    for (const priority of [-2, 0, 2, -1, 1]) {
      const prepare = new Prepare(loop, { priority }).start(() => {
        order.push(priority);
        prepare.stop();
      });
    }
    loop.run();
    expect(order).toEqual([2, 1, 0, -1, -2]);
  });
});

// Without another event a loop with only prepare or check watchers blocks in
// the poll (libev wakes at least every 60 s); an unref'd idle keeps polls
// non-blocking without holding the loop alive.
function drive(loop: Loop): Idle {
  return new Idle(loop, { ref: false }).start(() => {});
}

describe.each([
  ['Prepare', Prepare],
  ['Check', Check],
  ['Idle', Idle],
] as const)('%s keep-alive', (_name, Kind) => {
  const fresh = useFreshLoop();

  // A batch reaches JS in runs of at most 1,024 callbacks: order and feed()
  // must not notice where one run ends and the next begins.
  it('a batch of 3,000 keeps libev\'s order, and a watcher fed mid-batch runs next', () => {
    const loop = fresh();
    const order: Array<number | string> = [];
    const fed = new Check(loop);
    fed.callback = () => order.push('fed');
    for (let i = 0; i < 3000; i++) {
      new Check(loop).start(function () {
        order.push(i);
        if (i === 1500) fed.feed(CHECK);
        this.stop();
      });
    }
    loop.run({ nowait: true });
    const rest = Array.from({ length: 3000 }, (_, k) => 2999 - k); // libev: the last started first
    expect(order).toEqual([...rest.slice(0, 1500), 'fed', ...rest.slice(1500)]);
  });

  // A long pass reaches JS while libev is still invoking it: what a callback of
  // the first run does to watchers of later runs must hold as if all had
  // been collected first.
  it('in a pass of 3,000, a callback may stop, close or feed watchers libev has not reached yet', () => {
    const loop = fresh();
    const order: Array<number | string> = [];
    const fed = new Check(loop);
    fed.callback = () => order.push('fed');
    const checks: Check[] = [];
    for (let i = 0; i < 3000; i++) {
      checks.push(
        new Check(loop).start(function () {
          order.push(i);
          if (i === 2999) {
            checks[100]!.stop(); // in the third run
            checks[50]!.close();
            checks[1200]!.feed(CHECK); // pending already: one callback
            fed.feed(CHECK);
          }
          this.stop();
        }),
      );
    }
    loop.run({ nowait: true });
    const rest = Array.from({ length: 2999 }, (_, k) => 2998 - k).filter((i) => i !== 100 && i !== 50);
    expect(order).toEqual([2999, 'fed', ...rest]);
    expect(checks[100]!.active).toBe(false);
    expect(checks[50]!.closed).toBe(true);
    expect(loop.pendingCount).toBe(0);
  });

  it('a nested run() inside a pass of 3,000 runs every callback exactly once', () => {
    const loop = fresh();
    const calls = new Array<number>(3000).fill(0);
    for (let i = 0; i < 3000; i++) {
      new Check(loop).start(function () {
        calls[i]!++;
        this.stop();
        if (i === 2990) loop.run({ nowait: true });
      });
    }
    loop.run({ nowait: true });
    expect(calls.every((n) => n === 1)).toBe(true);
    expect(loop.pendingCount).toBe(0);
  });

  it('destroy() in the first run of a pass of 3,000 ends it: no later callback runs', () => {
    const loop = new Loop();
    let calls = 0;
    for (let i = 0; i < 3000; i++) {
      new Check(loop).start(() => {
        if (++calls === 10) loop.destroy();
      });
    }
    expect(loop.run({ nowait: true })).toBe(false);
    expect(calls).toBe(10);
    expect(loop.destroyed).toBe(true);
  });

  it('an unref()d active watcher does not keep run() alive', () => {
    const loop = fresh();
    const w = new Kind(loop, { ref: false }).start(() => {});
    expect(w.hasRef()).toBe(false);
    expect(loop.run()).toBe(true);
    expect(w.active).toBe(true);
    w.stop();
  });

  it('unref() after start lets run() return; a ref()d one keeps it running', () => {
    const loop = fresh();
    const driver = drive(loop);
    let calls = 0;
    const w = new Kind(loop).start(() => {
      if (++calls === 3) w.unref();
    });
    expect(w.hasRef()).toBe(true);
    expect(loop.run()).toBe(true);
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(w.hasRef()).toBe(false);
    w.stop();
    driver.stop();
  });

  it('hasRef() is false and counts are clean after it stopped itself', () => {
    const loop = fresh();
    const driver = drive(loop);
    const w = new Kind(loop).start(() => w.stop());
    loop.run();
    driver.stop();
    expect([w.hasRef(), w.active, loop.refCount, loop.activeCount]).toEqual([false, false, 0, 0]);
  });

  it('rejects bad constructor arguments', () => {
    expect(() => new Kind({} as Loop)).toThrow(TypeError);
    expect(() => new Kind(fresh(), { priority: 3 })).toThrow(RangeError);
    expect(() => new Kind(fresh(), { ref: 1 as never })).toThrow(TypeError);
  });
});

describe('idle keeps the loop from blocking', () => {
  it('a check fires every iteration while an idle is active', () => {
    const loop = new Loop();
    let checks = 0;
    let idles = 0;
    const check = new Check(loop).start(() => checks++);
    const idle = new Idle(loop).start(() => {
      if (++idles === 100) {
        idle.stop();
        check.stop();
      }
    });
    loop.run(); // the idle watcher keeps the loop from blocking: 100 iterations, no waiting
    expect(idles).toBe(100);
    expect(checks).toBeGreaterThanOrEqual(100);
    loop.destroy();
  });
});
