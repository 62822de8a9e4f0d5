// For evkit's watcher packages, not applications: the argument checks every
// package shares, so all of evkit words its errors the same way.
export {
  checkBoolean,
  checkFinite,
  checkFunction,
  checkInteger,
  checkObject,
  checkOptions,
  checkPriority,
  describe,
} from './validate.js';
