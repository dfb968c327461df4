/**
 * The one way the UI talks to keygraph: its public GraphQL API on /graphql, with the browser
 * session's cookie (same origin) and the CSRF header keygraph requires of cookie-authenticated
 * requests. No token is ever kept by the UI: sign-in trades it for the HttpOnly session cookie.
 */
import type { TypedDocumentString } from './gql/graphql';

/** An error as keygraph reports it: the AWS error code, AWS's message, and extensions. */
export class ApiError extends Error {
  readonly code: string;
  readonly extensions: Record<string, unknown>;
  readonly status: number;
  /** The field that failed (["key", "policy"]), when the error is a field's. */
  readonly path: readonly (string | number)[];

  constructor(code: string, message: string, extensions: Record<string, unknown> = {}, status = 200, path: readonly (string | number)[] = []) {
    super(message);
    this.code = code;
    this.extensions = extensions;
    this.status = status;
    this.path = path;
  }

  /** "<code>: <message>", as AWS's consoles and CLIs show a failure. */
  override toString(): string {
    const detail = typeof this.extensions.detail === 'string' ? ` (${this.extensions.detail})` : '';
    return `${this.code}: ${this.message || '(no message)'}${detail}`;
  }

  /** The session is gone (expired, revoked, signed out elsewhere): back to sign-in. */
  get unauthenticated(): boolean {
    return this.status === 401 || this.code === 'UnrecognizedClientException';
  }
}

/** "<code>: <message>" for anything thrown. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.toString();
  if (error instanceof Error) return `NetworkError: ${error.message}`;
  return `Error: ${String(error)}`;
}

type Listener = () => void;
const signedOutListeners = new Set<Listener>();

/** Called whenever keygraph answers 401: the UI shows sign-in again. */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

interface GraphQLErrorShape {
  message?: string;
  extensions?: Record<string, unknown>;
  path?: (string | number)[];
}

function errorFrom(body: unknown, status: number): ApiError | null {
  const errors = (body as { errors?: GraphQLErrorShape[] } | null)?.errors;
  if (errors && errors.length > 0) {
    const first = errors[0];
    const extensions = first.extensions ?? {};
    const code = typeof extensions.code === 'string' ? extensions.code : 'InternalError';
    return new ApiError(code, first.message ?? '', extensions, status, first.path ?? []);
  }
  if (status >= 400) return new ApiError(`HTTP${status}`, 'keygraph refused the request', {}, status);
  return null;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { errors: [{ message: text.slice(0, 300), extensions: { code: `HTTP${response.status}` } }] };
  }
}

function raise(error: ApiError): never {
  if (error.unauthenticated) signedOutListeners.forEach((listener) => listener());
  throw error;
}

/** An answer with the fields that resolved, and the errors of those that did not. */
export interface PartialAnswer<Result> {
  data: Result;
  errors: ApiError[];
}

/**
 * Runs a typed document and keeps what resolved: a principal allowed some of a key's reads and
 * not others sees those it may, and the others' errors. Throws when nothing came back.
 */
export async function requestPartial<Result, Variables>(
  document: TypedDocumentString<Result, Variables>,
  variables?: Variables,
): Promise<PartialAnswer<Result>> {
  const response = await fetch('/graphql', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'X-Keygraph-CSRF': '1' },
    body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
  });
  const body = (await readJson(response)) as { data?: Result | null; errors?: GraphQLErrorShape[] } | null;
  const data = body?.data;
  if (data === undefined || data === null || response.status >= 400) {
    raise(errorFrom(body, response.status) ?? new ApiError('InternalError', 'keygraph answered without data'));
  }
  const errors = (body?.errors ?? []).map((error) => errorFrom({ errors: [error] }, response.status)!);
  return { data, errors };
}

/** Runs a typed document; the first GraphQL error is thrown as an ApiError. */
export async function request<Result, Variables>(
  document: TypedDocumentString<Result, Variables>,
  variables?: Variables,
): Promise<Result> {
  const { data, errors } = await requestPartial(document, variables);
  if (errors.length > 0) raise(errors[0]);
  return data;
}

export interface Session {
  principal: string;
  expiresAt: string;
}

/** The credentials sign-in accepts: a principal's token, or an access key of the AWS door. */
export type Credentials = { token: string } | { accessKeyId: string; secretAccessKey: string };

/** POST /session with the credentials; keygraph answers with the session cookie. */
export async function signIn(credentials: Credentials): Promise<Session> {
  const response = await fetch('/session', {
    method: 'POST',
    credentials: 'same-origin',
    ...('token' in credentials
      ? { headers: { Authorization: `Bearer ${credentials.token}`, 'X-Keygraph-CSRF': '1' } }
      : {
          headers: { 'content-type': 'application/json', 'X-Keygraph-CSRF': '1' },
          body: JSON.stringify(credentials),
        }),
  });
  const body = await readJson(response);
  const error = errorFrom(body, response.status);
  if (error) throw error;
  return body as Session;
}

/** DELETE /session: keygraph revokes the session and clears the cookie. */
export async function signOut(): Promise<void> {
  const response = await fetch('/session', {
    method: 'DELETE',
    credentials: 'same-origin',
    headers: { 'X-Keygraph-CSRF': '1' },
  });
  if (!response.ok && response.status !== 401) {
    const error = errorFrom(await readJson(response), response.status);
    if (error) throw error;
  }
}

/** ws(s)://<this host>/graphql, where keygraph speaks graphql-transport-ws. */
export function subscriptionUrl(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}/graphql`;
}
