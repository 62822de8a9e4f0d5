import { evkitProject } from '../test-utils/vitest-project.js';

export default evkitProject(import.meta.url);
