// Signal numbers and names: Node's table (os.constants.signals) plus glibc's
// real-time signals, named as bash's `kill -l` does (SIGRTMIN, SIGRTMIN+1, …,
// SIGRTMAX-1, SIGRTMAX).
import { constants } from 'node:os';
import { binding } from '@evkit/core-native/binding';
import { argTypeError, argValueError, describe, outOfRangeError } from '@evkit/loop/internal';

const { nsig, rtmin, rtmax } = binding.signalLimits;

const byName = new Map<string, number>();
const byNumber = new Map<number, string>();
for (const [name, num] of Object.entries(constants.signals as Record<string, number>)) {
  byName.set(name, num);
  if (!byNumber.has(num)) byNumber.set(num, name); // SIGABRT before SIGIOT, SIGIO before SIGPOLL
}

function realtimeName(signum: number): string {
  if (signum === rtmin) return 'SIGRTMIN';
  if (signum === rtmax) return 'SIGRTMAX';
  return signum - rtmin <= (rtmax - rtmin) / 2 ? `SIGRTMIN+${signum - rtmin}` : `SIGRTMAX-${rtmax - signum}`;
}

function realtimeNumber(name: string): number | undefined {
  const match = /^SIGRT(MIN|MAX)(?:([+-])(\d{1,2}))?$/.exec(name);
  if (match === null) return undefined;
  const [, base, sign, offset] = match;
  if (sign !== undefined && sign !== (base === 'MIN' ? '+' : '-')) return undefined;
  const n = base === 'MIN' ? rtmin + Number(offset ?? 0) : rtmax - Number(offset ?? 0);
  return n >= rtmin && n <= rtmax ? n : undefined;
}

/** The name of a signal number ("SIGUSR1"), or `"SIG<n>"` for one without a name. */
export function signalName(signum: number): string {
  const name = byNumber.get(signum);
  if (name !== undefined) return name;
  if (signum >= rtmin && signum <= rtmax) return realtimeName(signum);
  return `SIG${signum}`;
}

// Why evkit will not take a signal: the native side's one list.
const refusals = new Map(binding.signalLimits.refusals);
const refusal = (signum: number): string | undefined => refusals.get(signum);

/** Resolves a signal number or name to a number evkit may watch; throws TypeError/RangeError. */
export function resolveSignal(signum: unknown): number {
  let num: number;
  if (typeof signum === 'string') {
    const found = byName.get(signum) ?? realtimeNumber(signum);
    if (found === undefined) {
      throw argValueError(`signum: unknown signal name ${describe(signum)} (names as in os.constants.signals, or SIGRTMIN+n)`);
    }
    num = found;
  } else if (typeof signum === 'number') {
    if (!Number.isInteger(signum) || signum < 1 || signum >= nsig) {
      throw outOfRangeError(`signum must be a signal number from 1 to ${nsig - 1} or a name like "SIGUSR1", got ${describe(signum)}`);
    }
    num = signum;
  } else {
    throw argTypeError(`signum must be a signal number or name like "SIGUSR1", got ${describe(signum)}`);
  }
  const why = refusal(num);
  if (why !== undefined) {
    throw argValueError(`signum: evkit does not watch ${signalName(num)} (${num}): ${why}`);
  }
  return num;
}
