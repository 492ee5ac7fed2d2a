/** App module of app-windowed: a tumbling windowed count in RocksDB (see app-bench-apps.ts). */
import { defineApp } from '../src/runtime/streams/define-app.js';
import { windowedTopology } from './app-bench-apps.js';

export default defineApp({ topology: windowedTopology });
