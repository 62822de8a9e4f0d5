// api.md: after destroy() every operation but destroy, destroyed, isDefault, ptr
// and util.inspect throws LoopDestroyedError. The errorHandler accessor does not.
import { Loop } from '@evkit/loop';

const loop = new Loop();
loop.destroy();
try {
  loop.errorHandler = () => {};
  console.log('BUG: errorHandler setter on a destroyed loop did not throw; getter:', typeof loop.errorHandler);
} catch (e) {
  console.log('ok:', e.constructor.name);
}
