/** The address every test server listens on: never a public interface. */
export declare const LOOPBACK: '127.0.0.1';

/**
 * Finds a TCP port that is free on `host` (default 127.0.0.1) by binding port 0 and closing.
 *
 * Another process may take the port before the caller binds it; callers that start a child
 * process on it retry when it reports the address in use.
 */
export declare function findFreePort(host?: string): Promise<number>;
