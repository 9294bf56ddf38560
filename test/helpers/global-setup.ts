import { prepareTemplates } from './database.js';

// tap `before`: build the reference-data template once for the whole run.
await prepareTemplates();
