/**
 * The dependency direction of DESIGN.md §2, as rules. `npm run lint` runs them over src/.
 * Each rule names the layer it protects; a violation prints the offending import.
 */
const layer = (name) => `^src/${name}/`;

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Cycles make layers impossible to reason about and to test alone. A cycle through a type-only import is erased at compile time (the DSL views name each other in signatures and construct each other through GraphBuilder.views), so only cycles of runtime imports count.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'common-is-a-leaf',
      severity: 'error',
      comment: 'common/ imports nothing of ours.',
      from: { path: layer('common') },
      to: { path: '^src/', pathNot: layer('common') },
    },
    {
      name: 'serdes-only-common',
      severity: 'error',
      from: { path: layer('serdes') },
      to: { path: '^src/', pathNot: [layer('common'), layer('serdes')] },
    },
    {
      name: 'actor-kernel-only-common',
      severity: 'error',
      comment: 'runtime/actor imports common and xstate only.',
      from: { path: layer('runtime/actor') },
      to: { path: '^src/', pathNot: [layer('common'), layer('runtime/actor')] },
    },
    {
      name: 'log-below-streams',
      severity: 'error',
      comment: 'log/ imports common, serdes types and runtime/actor; never streams, stores or dsl.',
      from: { path: layer('log') },
      to: {
        path: [
          layer('runtime/streams'),
          layer('runtime/workers'),
          layer('state-stores'),
          layer('dsl'),
          layer('testing'),
          layer('cli'),
        ],
      },
    },
    {
      name: 'state-stores-below-runtime',
      severity: 'error',
      comment: 'state-stores imports common, serdes and log/client interfaces.',
      from: { path: layer('state-stores') },
      to: {
        path: '^src/',
        pathNot: [layer('common'), layer('serdes'), layer('state-stores'), layer('log/client')],
      },
    },
    {
      name: 'dsl-builds-plain-data',
      severity: 'error',
      comment: 'dsl imports common and serdes and produces a Topology; it never imports the runtime.',
      from: { path: layer('dsl') },
      to: { path: '^src/', pathNot: [layer('common'), layer('serdes'), layer('dsl')] },
    },
    {
      name: 'only-rocksdb-engine-imports-rocksdb',
      severity: 'error',
      from: { pathNot: layer('state-stores/rocksdb') },
      to: { path: 'node_modules/@nxtedition/rocksdb' },
    },
    {
      name: 'only-actor-kernel-and-machines-import-xstate',
      severity: 'error',
      comment: 'Machine files are named *-machine.ts; everything else goes through runtime/actor.',
      from: { path: '^src/', pathNot: [layer('runtime/actor'), '-machine\\.ts$'] },
      to: { path: 'node_modules/xstate' },
    },
    {
      name: 'only-dsl-and-streams-import-rxjs',
      severity: 'error',
      from: { path: '^src/', pathNot: [layer('dsl'), layer('runtime/streams')] },
      to: { path: 'node_modules/rxjs' },
    },
    {
      name: 'no-internal-across-modules',
      severity: 'error',
      comment: "Nothing imports another module's internal/.",
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/([^/]+)/.*internal/', pathNot: '^src/$1/' },
    },
    {
      name: 'src-never-imports-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|benchmarks|examples)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
