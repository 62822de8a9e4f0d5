import { evkitProject } from '../../internal/test-utils/vitest-project.js';

export default evkitProject(import.meta.url, { test: { testTimeout: 60_000 } });
