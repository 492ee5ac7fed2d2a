/**
 * The word count the exactly-once checker's tests run: lines split into words, regrouped through a
 * repartition topic and counted in a changelogged, persistent store — the same topology the
 * runtime's worker tests use.
 */
export { wordCountTopology as wordCount } from '../../runtime/streams/fixtures/word-count-app.js';
