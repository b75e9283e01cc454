// A JSON POST with upload progress, for sending files from the composer. fetch() cannot report
// upload progress, so this one request goes through XMLHttpRequest, with the same session cookie,
// CSRF header and error shape (ApiError from {"error":{...}}) as api/client.ts.
import { ApiError } from '../api/client';

function cookie(name: string): string | null {
  const hit = document.cookie.split('; ').find((c) => c.startsWith(name + '='));
  return hit ? decodeURIComponent(hit.slice(name.length + 1)) : null;
}

/** Reads a File as plain base64 (no data: prefix), as send-media's media_base64 takes it. */
export function fileToBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onerror = () => reject(r.error ?? new Error('could not read the file'));
    r.onload = () => {
      const s = String(r.result ?? '');
      resolve(s.slice(s.indexOf(',') + 1));
    };
    r.readAsDataURL(file);
  });
}

/**
 * POSTs `body` as JSON to `path` and resolves with the parsed answer; `onProgress` gets the
 * fraction (0..1) of the request body sent. Rejects with ApiError on a non-2xx answer (the API's
 * error code and message) and with an Error when the network fails. A 403 without a CSRF cookie
 * is retried once after fetching one, like api().
 */
export async function postWithProgress<T>(path: string, body: unknown, onProgress: (fraction: number) => void): Promise<T> {
  const json = JSON.stringify(body);
  const once = () => new Promise<{ status: number; text: string }>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', 'application/json');
    xhr.setRequestHeader('Accept', 'application/json');
    const token = cookie('XSRF-TOKEN');
    if (token) xhr.setRequestHeader('X-XSRF-TOKEN', token);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
    xhr.onerror = () => reject(new Error('network error while uploading'));
    xhr.send(json);
  });
  let res = await once();
  if (res.status === 403 && !cookie('XSRF-TOKEN')) {
    await fetch('/api/auth/csrf', { credentials: 'same-origin' });
    res = await once();
  }
  let parsed: unknown = null;
  try {
    parsed = res.text ? JSON.parse(res.text) : null;
  } catch {
    parsed = null;
  }
  if (res.status < 200 || res.status >= 300) {
    const e = (parsed as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? 'request failed', e?.field ?? null);
  }
  onProgress(1);
  return parsed as T;
}
