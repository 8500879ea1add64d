import type { IncomingHttpHeaders } from 'node:http';
import type { RouteKind } from './router.js';

/** Which server of the test registry answered: the registry or its redirect target. */
export type RequestOrigin = 'registry' | 'storage';

/** One request as the test registry saw it, for tests to assert on. */
export interface RequestRecord {
  readonly origin: RequestOrigin;
  readonly method: string;
  /** The path and query as sent. */
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Request headers, lower-case names (`authorization` included, as sent). */
  readonly headers: IncomingHttpHeaders;
  /** The endpoint, when the path is one of the API. */
  route?: RouteKind;
  /** The repository name, when the endpoint has one. */
  repository?: string;
  /** Request body length in bytes. */
  bodyBytes: number;
  /** The status answered (0 when the connection was dropped before an answer). */
  status: number;
  /** The faults that acted on this request, by name. */
  readonly faults: string[];
}

/** The request log: every request in arrival order. */
export class RequestLog {
  /** The records; tests read and filter it directly. */
  readonly records: RequestRecord[] = [];

  /** Adds a record and returns it (fields are completed as the request goes on). */
  add(record: RequestRecord): RequestRecord {
    this.records.push(record);
    return record;
  }

  /** Forgets every record. */
  clear(): void {
    this.records.length = 0;
  }
}
