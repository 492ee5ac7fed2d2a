/**
 * BranchedKStream: the result of `KStream.split()`. Each record goes to the first branch whose
 * predicate holds (else to the default branch, if any, else nowhere), as in Kafka Streams. Branch
 * names are the split's name (or `{ as }`) followed by the branch's name, or by its position from
 * 1 when unnamed; the default branch's position is 0.
 */
import { TopologyError } from '../common/errors.js';
import type { GraphBuilder } from './graph-builder.js';
import type { BranchDef } from './topology-nodes.js';

/**
 * How one branch is named and what is done with it; `S` is the branch's stream type (a KStream,
 * left generic so this file need not import kstream.ts, which imports it).
 *
 * @example
 * ```ts
 * split.branch((_, v) => v > 0, { as: 'positive', withFunction: (s) => s.mapValues((v) => v * 2) });
 * ```
 */
export interface Branched<S> {
  /** The branch's name, appended to the split's prefix. */
  readonly as?: string;
  /** Transforms the branch; its result is what the returned map holds (omitted when undefined). */
  readonly withFunction?: (branch: S) => S | undefined;
  /** Consumes the branch; the returned map then has no entry for it. */
  readonly withConsumer?: (branch: S) => void;
}

/**
 * The branches of a split under construction.
 *
 * @example
 * ```ts
 * const branches = stream.split({ as: 'by-size-' })
 *   .branch((_, v) => v > 100, { as: 'large' })
 *   .defaultBranch({ as: 'small' });
 * branches['by-size-large']!.to('large');
 * ```
 * @throws TopologyError when a branch name is taken or branches are added after the split ended.
 */
export class BranchedKStream<K, V, S> {
  private readonly result: Record<string, S> = {};
  private ended = false;

  /** @internal */
  constructor(
    private readonly graph: GraphBuilder,
    private readonly splitName: string,
    private readonly prefix: string,
    private readonly branches: BranchDef[],
    private readonly streamOf: (nodeName: string) => S,
  ) {}

  private addBranch(
    predicate: ((key: K, value: V) => boolean) | null,
    branched: Branched<S> | undefined,
    position: number,
  ): void {
    if (this.ended)
      throw new TopologyError(
        `Split '${this.splitName}' already ended; add branches before defaultBranch() or noDefaultBranch().`,
      );
    const name = `${this.prefix}${branched?.as ?? String(position)}`;
    this.graph.addProcessor(name, { kind: 'passThrough' }, [this.splitName]);
    this.branches.push({ predicate: predicate as BranchDef['predicate'], child: name });
    const stream = this.streamOf(name);
    if (branched?.withConsumer !== undefined) {
      branched.withConsumer(stream);
      return;
    }
    const out = branched?.withFunction !== undefined ? branched.withFunction(stream) : stream;
    if (out !== undefined) this.result[name] = out;
  }

  /** Adds a branch for the records `predicate` accepts that no earlier branch took. */
  branch(predicate: (key: K, value: V) => boolean, branched?: Branched<S>): this {
    this.addBranch(predicate, branched, this.branches.filter((b) => b.predicate !== null).length + 1);
    return this;
  }

  /** Ends the split with a branch for every record no predicate took; returns the branches by name. */
  defaultBranch(branched?: Branched<S>): Record<string, S> {
    this.addBranch(null, branched, 0);
    this.ended = true;
    return this.result;
  }

  /** Ends the split; records no predicate took are dropped. Returns the branches by name. */
  noDefaultBranch(): Record<string, S> {
    this.ended = true;
    return this.result;
  }
}
