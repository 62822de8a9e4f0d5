import { AsyncPostResult, binding } from '@evkit/core-native/binding';
import { EvError } from '@evkit/loop';
import { argTypeError, argValueError } from '@evkit/loop/internal';
import { compactBytes, encodeInPlace } from './wire.js';

/** The binding ABI minor that has mailboxes (asyncPost and friends). */
const MESSAGES_ABI_MINOR = 6;

/** Throws when the native core predates messages. */
export function requireMessages(): void {
  if (binding.abi.minor < MESSAGES_ABI_MINOR) {
    throw new EvError(
      `messages need @evkit/core-native ABI 2.${MESSAGES_ABI_MINOR} or later, found ${binding.abi.major}.${binding.abi.minor}: update @evkit/core-native`,
      'ERR_EVKIT_ABI',
    );
  }
}

/**
 * Sends `value` (none: a send without a value) to the Async published under
 * `id`. Returns false when it is gone; throws when its mailbox is full, or a
 * value goes to an Async without one.
 */
export function post(id: bigint, value: [] | [unknown]): boolean {
  if (value.length === 0) {
    return binding.abi.minor < MESSAGES_ABI_MINOR ? binding.asyncSend(id) : answer(binding.asyncPost(id));
  }
  requireMessages();
  return answer(postBytes(id, value[0], 'value', undefined));
}

/** Sends every element of `values` as its own message, all or none. */
export function postBatch(id: bigint, values: readonly unknown[]): boolean {
  if (!Array.isArray(values)) throw argTypeError(`values must be an array, got ${typeof values}`);
  requireMessages();
  if (values.length === 0) return binding.asyncSend(id); // nothing to queue: a wake-up says whether it is there
  return answer(postBytes(id, values, 'values', values.length));
}

/** The binding ABI minor whose asyncPost takes the byte length. */
const LENGTH_ABI_MINOR = 8;

function postBytes(id: bigint, value: unknown, name: string, batch: number | undefined): AsyncPostResult {
  const encoded = serializeValue(value, name);
  if (typeof encoded !== 'number') return binding.asyncPost(id, encoded, batch);
  return binding.abi.minor >= LENGTH_ABI_MINOR
    ? binding.asyncPost(id, compactBytes(), batch, encoded)
    : binding.asyncPost(id, compactBytes().subarray(0, encoded), batch);
}

function answer(result: AsyncPostResult): boolean {
  if (result === AsyncPostResult.Posted) return true;
  if (result === AsyncPostResult.Gone) return false;
  if (result === AsyncPostResult.Full) {
    throw new EvError('the AsyncMailbox is full (its limit of messages wait for the callback): send again later', 'ERR_EVKIT_MAILBOX_FULL');
  }
  throw argTypeError('a value can only be sent to an AsyncMailbox; this sender belongs to a plain Async: call send() without one');
}

// node:v8 makes a fresh serializer each time (v8.serialize): a reused one
// would write a value it has seen before as a reference into an earlier message.
function serializeValue(value: unknown, name: string): number | Uint8Array {
  try {
    return encodeInPlace(value);
  } catch (error) {
    throw argValueError(`${name} cannot be sent: ${(error as Error).message} (node:v8 serialization, as postMessage without a transfer list)`);
  }
}
