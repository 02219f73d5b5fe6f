// Requests to the daemon with the page's session cookie: a refusal becomes an Error with the API's message
// and code; `say` shows a line in the header.
import { $ } from './state.js';

export async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(payload.error?.message ?? `${method} ${path} answered ${response.status}`);
    error.status = response.status;
    error.code = payload.error?.code;
    throw error;
  }
  return payload;
}

export function say(text) {
  $('#message').textContent = text;
}
