/** Reads a whole partition back through the client, as a checker needs it. */

export {
  readPartition,
  retrying,
  type StoredRecord,
} from '../../../src/testing/simulation/read-partition.js';
