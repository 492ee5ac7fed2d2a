/** App module of app-stateless and app-scaling: filter → mapValues (see app-bench-apps.ts). */
import { defineApp } from '../src/runtime/streams/define-app.js';
import { statelessTopology } from './app-bench-apps.js';

export default defineApp({ topology: statelessTopology });
