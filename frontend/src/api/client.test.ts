import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, isMissingEndpoint, setUnauthorizedHandler } from './client';

type Call = { url: string; init: RequestInit };
let calls: Call[];
let answers: Response[];

beforeEach(() => {
  calls = [];
  answers = [];
  (globalThis as { document?: unknown }).document = { cookie: 'other=1; XSRF-TOKEN=tok%3D1' };
  globalThis.fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return answers.shift() ?? new Response('{}', { status: 200 });
  }) as typeof fetch;
});

afterEach(() => {
  delete (globalThis as { document?: unknown }).document;
});

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });
const header = (c: Call, name: string) => (c.init.headers as Record<string, string>)[name];

describe('api client', () => {
  it('sends the XSRF-TOKEN cookie as X-XSRF-TOKEN on changes only', async () => {
    await api('GET', '/api/connections');
    await api('POST', '/api/connections', { connection_id: 'x' });
    expect(header(calls[0], 'X-XSRF-TOKEN')).toBeUndefined();
    expect(header(calls[1], 'X-XSRF-TOKEN')).toBe('tok=1');
    expect(calls[1].init.credentials).toBe('same-origin');
    expect(calls[1].init.body).toBe('{"connection_id":"x"}');
  });

  it('turns the error shape into ApiError', async () => {
    answers.push(json(400, { error: { status: 400, code: 'invalid_connection_id', message: 'bad id', field: 'connection_id' } }));
    const e = await api('POST', '/api/connections', {}).catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 400, code: 'invalid_connection_id', message: 'bad id', field: 'connection_id' });
  });

  it('reports a lost session', async () => {
    const lost = vi.fn();
    setUnauthorizedHandler(lost);
    answers.push(json(401, { error: { code: 'unauthorized', message: 'log in' } }));
    await expect(api('GET', '/api/connections')).rejects.toBeInstanceOf(ApiError);
    expect(lost).toHaveBeenCalledOnce();
  });

  it('fetches a CSRF cookie and retries once when it was missing', async () => {
    (globalThis as { document?: { cookie: string } }).document = { cookie: '' };
    answers.push(json(403, { error: { code: 'forbidden' } }), json(200, {}), json(201, { ok: true }));
    await expect(api('POST', '/api/api-keys', { name: 'k' })).resolves.toEqual({ ok: true });
    expect(calls.map((c) => `${c.init.method} ${c.url}`)).toEqual(['POST /api/api-keys', 'GET /api/auth/csrf', 'POST /api/api-keys']);
  });

  it('tells a missing endpoint from a missing connection', () => {
    expect(isMissingEndpoint(new ApiError(404, 'not_found', 'no route'))).toBe(true);
    expect(isMissingEndpoint(new ApiError(404, 'connection_not_found', 'no connection'))).toBe(false);
    expect(isMissingEndpoint(new ApiError(500, 'internal', 'boom'))).toBe(false);
  });
});
