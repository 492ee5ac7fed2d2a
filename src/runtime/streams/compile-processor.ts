/**
 * Turns one processor node's operation into a Forward over its children, with Kafka Streams'
 * semantics: user functions see nulls as they are, outputs keep the input's timestamp and headers.
 * Stateful kinds are compiled by their own files (tables, aggregates, windows, joins, process).
 */
import type { KeyValue } from '../../dsl/stream-record.js';
import type { ProcessorNode } from '../../dsl/topology-nodes.js';
import { compileAggregateOp } from './compile-aggregates.js';
import { compileFkJoinOp } from './compile-fk-join.js';
import { compileUserProcessor } from './compile-process.js';
import { compileSessionWindowAggregate } from './compile-session-aggregates.js';
import { compileSlidingWindowAggregate } from './compile-sliding-aggregates.js';
import { compileStreamStreamJoin } from './compile-stream-stream-join.js';
import { compileStreamTableJoin } from './compile-stream-table-join.js';
import { compileSuppress } from './compile-suppress.js';
import { compileTableTableJoin } from './compile-table-table-join.js';
import { compileTableOp } from './compile-tables.js';
import { compileTimeWindowAggregate } from './compile-windowed-aggregates.js';
import { type Forward, fanOut } from './forward.js';
import { pipeProcessor } from './pipe-processor.js';
import type { TaskContext } from './task-context.js';

type Fn<R> = (a: unknown, b: unknown) => R;

/**
 * The Forward for `node`'s operator; `childOf(name)` compiles a child by name.
 *
 * @example
 * ```ts
 * const forward = compileProcessor(node, ctx, compile);
 * ```
 * @throws nothing itself; the returned Forward throws what user functions throw.
 */
export function compileProcessor(
  node: ProcessorNode,
  ctx: TaskContext,
  childOf: (name: string) => Forward,
): Forward {
  const op = node.op;
  if (op.kind === 'process') return compileUserProcessor(op, node, ctx, childOf);
  const next = fanOut(node.children.map(childOf));
  switch (op.kind) {
    case 'filter': {
      const predicate = op.predicate as Fn<boolean>;
      const keep = !op.negate;
      return (k, v, t, h) => {
        if (predicate(k, v) === keep) next(k, v, t, h);
      };
    }
    case 'map': {
      const mapper = op.mapper as Fn<KeyValue<unknown, unknown>>;
      return (k, v, t, h) => {
        const out = mapper(k, v);
        next(out.key, out.value, t, h);
      };
    }
    case 'mapValues': {
      const mapper = op.mapper as Fn<unknown>;
      return (k, v, t, h) => next(k, mapper(v, k), t, h);
    }
    case 'flatMap': {
      const mapper = op.mapper as Fn<Iterable<KeyValue<unknown, unknown>>>;
      return (k, v, t, h) => {
        for (const out of mapper(k, v)) next(out.key, out.value, t, h);
      };
    }
    case 'flatMapValues': {
      const mapper = op.mapper as Fn<Iterable<unknown>>;
      return (k, v, t, h) => {
        for (const out of mapper(v, k)) next(k, out, t, h);
      };
    }
    case 'selectKey': {
      const mapper = op.mapper as Fn<unknown>;
      return (k, v, t, h) => next(mapper(k, v), v, t, h);
    }
    case 'peek': {
      const action = op.action as Fn<void>;
      return (k, v, t, h) => {
        action(k, v);
        next(k, v, t, h);
      };
    }
    case 'foreach': {
      const action = op.action as Fn<void>;
      return (k, v) => action(k, v);
    }
    case 'merge':
    case 'passThrough':
      return next;
    case 'branch': {
      const branches = op.branches.map((b) => ({
        predicate: b.predicate as Fn<boolean> | null,
        child: childOf(b.child),
      }));
      return (k, v, t, h) => {
        for (const b of branches) {
          if (b.predicate === null || b.predicate(k, v)) {
            b.child(k, v, t, h);
            return;
          }
        }
      };
    }
    case 'pipe':
      return pipeProcessor(op.operators, next);
    case 'tableSource':
    case 'globalTableSource':
    case 'streamToTable':
    case 'tableFilter':
    case 'tableMapValues':
    case 'tableToStream':
    case 'tableGroupBy':
      return compileTableOp(op, node.name, ctx, next);
    case 'aggregate':
    case 'reduce':
    case 'tableAggregate':
    case 'tableReduce':
      return compileAggregateOp(op, node.name, ctx, next);
    case 'timeWindowAggregate':
      return compileTimeWindowAggregate(op, node, ctx, next);
    case 'slidingWindowAggregate':
      return compileSlidingWindowAggregate(op, node, ctx, next);
    case 'sessionWindowAggregate':
      return compileSessionWindowAggregate(op, node, ctx, next);
    case 'suppress':
      return compileSuppress(op, node, ctx, next);
    case 'streamStreamJoin':
      return compileStreamStreamJoin(op, node.name, ctx, next);
    case 'streamTableJoin':
    case 'streamGlobalTableJoin':
      return compileStreamTableJoin(op, node.name, ctx, next);
    case 'tableTableJoin':
    case 'tableJoinMerge':
      return compileTableTableJoin(op, node.name, ctx, next);
    case 'fkSubscriptionSend':
    case 'fkSubscriptionReceive':
    case 'fkForeignUpdate':
    case 'fkResponseResolve':
      return compileFkJoinOp(op, node, ctx, next, childOf);
  }
}
