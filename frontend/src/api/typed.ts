// Typed calls to the gateway's API: paths, parameters, bodies and answers all come from the
// generated OpenAPI types (schema.d.ts, made from openapi.json by `npm run gen:api`), so a page
// cannot call a path that does not exist, forget a path parameter, send a wrong body or misread
// an answer without `tsc` failing the build. Transport (cookies, CSRF, errors) is client.ts.
import { api } from './client';
import type { paths } from './schema';

export type Method = 'get' | 'post' | 'put' | 'delete';

/** Paths that answer this method. */
export type PathWith<M extends Method> = {
  [P in keyof paths]: paths[P][M] extends undefined ? never : P;
}[keyof paths];

type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type Responses<O> = O extends { responses: infer R } ? R : never;

/** The JSON of the operation's success answers (200, 201 or 202). */
export type Answer<P extends keyof paths, M extends Method> = Json<
  Responses<Op<P, M>>[Extract<keyof Responses<Op<P, M>>, 200 | 201 | 202>]
>;

type Params<O> = O extends { parameters: infer X } ? X : never;
type PathParams<O> = Params<O> extends { path: infer X } ? X : never;
type QueryParams<O> = Params<O> extends { query?: infer X } ? X : never;
type Body<O> = O extends { requestBody?: never }
  ? never
  : O extends { requestBody: { content: { 'application/json': infer B } } }
  ? B
  : O extends { requestBody?: { content: { 'application/json': infer B } } }
    ? B | undefined
    : never;

/** An option that must be given when the operation has it, may be left out when optional, and cannot be given otherwise. */
type Slot<K extends string, T> = [T] extends [never] | [undefined]
  ? { [k in K]?: never }
  : undefined extends T
    ? { [k in K]?: T }
    : { [k in K]: T };

/** What a call passes: `path` parameters, `query` parameters and the JSON `body`, as the operation declares them. */
export type CallOptions<P extends keyof paths, M extends Method> = Slot<'path', PathParams<Op<P, M>>> &
  Slot<'query', QueryParams<Op<P, M>>> &
  Slot<'body', Body<Op<P, M>>>;

/** The options argument is optional only when the operation needs nothing. */
export type OptionsArg<P extends keyof paths, M extends Method> =
  object extends CallOptions<P, M> ? [options?: CallOptions<P, M>] : [options: CallOptions<P, M>];

/**
 * The URL of a call: `{name}` segments replaced by their encoded values (chat JIDs contain @),
 * query parameters appended in the given order, null and undefined ones left out. Throws when a
 * path parameter is missing, rather than calling a wrong URL.
 */
export function urlOf(path: string, pathParams?: object, query?: object): string {
  const values = (pathParams ?? {}) as Record<string, unknown>;
  const filled = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined || v === null || v === '') throw new Error(`missing path parameter ${name} for ${path}`);
    return encodeURIComponent(String(v));
  });
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (v !== undefined && v !== null) q.set(k, String(v));
  }
  const qs = q.toString();
  return qs ? `${filled}?${qs}` : filled;
}

/** Calls one operation of the API and returns its success answer (errors throw ApiError). */
export function call<P extends PathWith<M>, M extends Method>(
  method: M,
  path: P,
  ...[options]: OptionsArg<P, M>
): Promise<Answer<P, M>> {
  const o = (options ?? {}) as { path?: object; query?: object; body?: unknown };
  // state-changing requests always carry a JSON body ({} when the operation takes none)
  const body = method === 'post' || method === 'put' ? (o.body ?? {}) : undefined;
  return api<Answer<P, M>>(method.toUpperCase(), urlOf(path, o.path, o.query), body);
}

export const apiGet = <P extends PathWith<'get'>>(path: P, ...o: OptionsArg<P, 'get'>) => call('get', path, ...o);
export const apiPost = <P extends PathWith<'post'>>(path: P, ...o: OptionsArg<P, 'post'>) => call('post', path, ...o);
export const apiPut = <P extends PathWith<'put'>>(path: P, ...o: OptionsArg<P, 'put'>) => call('put', path, ...o);
export const apiDelete = <P extends PathWith<'delete'>>(path: P, ...o: OptionsArg<P, 'delete'>) => call('delete', path, ...o);
