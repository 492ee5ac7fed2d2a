/**
 * The Processor API at run time: a user Processor per task, initialised with a context that
 * forwards to the node's children (all, or one by name), opens the stores connected to the node,
 * and schedules punctuators. With a fixed key (processValues) every forwarded record keeps the key
 * of the record being processed.
 */
import { TopologyError } from '../../common/errors.js';
import type { ProcessorContext } from '../../dsl/processor-api.js';
import type { StatefulOp } from '../../dsl/stateful-ops.js';
import type { StreamRecord } from '../../dsl/stream-record.js';
import type { ProcessorNode } from '../../dsl/topology-nodes.js';
import { type Forward, fanOut } from './forward.js';
import type { TaskContext } from './task-context.js';

/**
 * Builds and initialises the node's processor; returns the Forward that feeds it.
 *
 * @example
 * ```ts
 * const forward = compileUserProcessor(op, node, ctx, (child) => compile(child));
 * ```
 * @throws whatever the processor's init throws; the Forward throws what process throws.
 */
export function compileUserProcessor(
  op: Extract<StatefulOp, { kind: 'process' }>,
  node: ProcessorNode,
  ctx: TaskContext,
  childOf: (name: string) => Forward,
): Forward {
  const children = new Map(node.children.map((c) => [c, childOf(c)]));
  const all = fanOut([...children.values()]);
  let currentKey: unknown = null;
  let processing = false;
  const context: ProcessorContext<unknown, unknown> = {
    applicationId: ctx.applicationId,
    taskId: ctx.taskId,
    forward(record: StreamRecord<unknown, unknown>, childName?: string): void {
      const key = op.fixedKey && processing ? currentKey : record.key;
      const target = childName === undefined ? all : children.get(childName);
      if (target === undefined) {
        const known = [...children.keys()].join(', ') || 'none';
        throw new TopologyError(
          `Processor '${node.name}' has no child named '${childName}'; its children: ${known}.`,
        );
      }
      target(key, record.value, record.timestamp, record.headers);
    },
    getStateStore<S>(name: string): S {
      if (!node.stores.includes(name)) {
        throw new TopologyError(
          `Processor '${node.name}' is not connected to store '${name}'; pass it in process(…, { stores: ['${name}'] }).`,
        );
      }
      return ctx.store<S>(name);
    },
    schedule: (intervalMs, type, punctuator) =>
      ctx.punctuation.schedule(intervalMs, type, punctuator, ctx.clock.nowMs()),
    currentStreamTimeMs: () => ctx.streamTimeMs,
    currentSystemTimeMs: () => ctx.clock.nowMs(),
    recordMetadata: () => ctx.recordMetadata(),
    commit: () => {
      ctx.commitRequested = true;
    },
  };
  const processor = (op.supplier as () => ReturnType<typeof op.supplier>)();
  processor.init?.(context as never);
  if (processor.close !== undefined) ctx.onClose(() => processor.close!());
  return (key, value, timestamp, headers) => {
    currentKey = key;
    processing = true;
    try {
      processor.process({ key, value, timestamp, headers } as never);
    } finally {
      processing = false;
    }
  };
}
