// The typed face of the example addon: a libcurl multi handle whose sockets
// and timeouts are watched by an evkit loop (blocking or attached), through
// evkit's C API.
import { createRequire } from 'node:module';

import { nativeApi, type NativeApi } from '@evkit/core-native';
import type { Loop } from '@evkit/loop';

export interface Response {
  status: number;
  body: Buffer;
}

interface NativeMulti {
  fetch(url: string): Promise<Response>;
  close(): void;
  readonly pending: number;
}

interface Addon {
  init(api: NativeApi): void;
  checkApi(api: unknown, version: number, revision: number): true;
  Multi: new (loopPtr: bigint) => NativeMulti;
}

const require = createRequire(import.meta.url);
/** The raw addon (for tests of the C API handshake). */
export const addon = require('../native/build/Release/curl_multi.node') as Addon;
addon.init(nativeApi);

/** Concurrent HTTP requests with libcurl, on an evkit loop. */
export class CurlMulti {
  readonly #native: NativeMulti;

  constructor(loop: Loop) {
    this.#native = new addon.Multi(loop.ptr);
  }

  /** Fetches `url`; settles when the loop has run the transfer. */
  fetch(url: string): Promise<Response> {
    return this.#native.fetch(url);
  }

  /** Requests not settled yet (they keep the loop alive). */
  get pending(): number {
    return this.#native.pending;
  }

  /** Rejects the requests in flight and frees curl's side. */
  close(): void {
    this.#native.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
