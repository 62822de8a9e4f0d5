import { evkitProject } from './vitest-project.js';

export default evkitProject(import.meta.url);
