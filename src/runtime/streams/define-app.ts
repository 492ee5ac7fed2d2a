/**
 * defineApp: how a streams application's topology is shared with its worker threads. Functions
 * cannot be sent to a worker, so each worker imports the module that defines the app (its default
 * export) and builds the topology itself; the main thread imports it too, to plan topics.
 */
import { ConfigError } from '../../common/errors.js';
import type { Topology } from '../../dsl/topology.js';

/**
 * A streams application definition: the default export of an app module.
 *
 * @example
 * ```ts
 * // app.ts
 * export default defineApp({ topology: () => buildClickstream() });
 * ```
 */
export interface AppDefinition {
  readonly kind: 'millrace-app';
  /** Builds the topology (called once per thread and once in the main thread). */
  readonly topology: () => Topology;
}

/**
 * Defines an app module's application.
 *
 * @example
 * ```ts
 * export default defineApp({
 *   topology: () => {
 *     const b = new StreamsBuilder();
 *     b.stream('in', { key: Serdes.string(), value: Serdes.string() }).to('out');
 *     return b.build();
 *   },
 * });
 * ```
 * @throws nothing.
 */
export function defineApp(definition: { topology: () => Topology }): AppDefinition {
  return Object.freeze({ kind: 'millrace-app', topology: definition.topology });
}

/**
 * The app definition a module exports by default.
 *
 * @example
 * ```ts
 * const app = await loadAppDefinition(new URL('./app.ts', import.meta.url).href);
 * ```
 * @throws ConfigError when the module's default export is not a defineApp(...) result.
 */
export async function loadAppDefinition(moduleHref: string): Promise<AppDefinition> {
  const loaded = (await import(moduleHref)) as { default?: unknown };
  const app = loaded.default as Partial<AppDefinition> | undefined;
  if (app?.kind !== 'millrace-app' || typeof app.topology !== 'function') {
    throw new ConfigError(
      'appModule',
      moduleHref,
      'a module whose default export is defineApp({ topology })',
    );
  }
  return app as AppDefinition;
}
