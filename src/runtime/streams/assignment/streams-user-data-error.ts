/**
 * The error for streams assignor userData that cannot be read.
 */
import { MillraceError, type MillraceErrorOptions } from '../../../common/errors.js';

/**
 * Subscription or assignment userData of the streams assignor that is malformed: truncated,
 * trailing garbage, an unknown version or an impossible value. Not retriable: the same bytes fail
 * the same way. The leader leaves a member whose subscription fails this way out of the
 * assignment (it gets error code ASSIGNMENT_ERROR) rather than failing the whole group.
 *
 * @example
 * ```ts
 * try { decodeSubscriptionInfo(bytes); } catch (e) { if (e instanceof StreamsUserDataError) skip(member); }
 * ```
 */
export class StreamsUserDataError extends MillraceError {
  constructor(message: string, options?: MillraceErrorOptions) {
    super('STREAMS_USER_DATA_CORRUPT', message, false, options);
  }
}
