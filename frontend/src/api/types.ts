// Wire types of the gateway's HTTP API and realtime events (snake_case, ISO-8601 UTC strings).

export type ConnectionStatus =
  | 'disconnected'
  | 'initializing'
  | 'qr_ready'
  | 'authenticated'
  | 'ready'
  | 'reconnecting'
  | 'error'
  | 'logged_out';

export interface Connection {
  connection_id: string;
  status: ConnectionStatus;
  reason: string | null;
  phone: string | null;
  push_name: string | null;
  connected_at: string | null;
  reconnect_attempt: number;
  next_retry_at: string | null;
  has_session: boolean;
  wanted_running: boolean;
  qr_expires_at: string | null;
  webhook_url: string | null;
  status_changed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface QrInfo {
  connection_id: string;
  status: ConnectionStatus;
  qr: string | null;
  qr_image: string | null;
  qr_expires_at: string | null;
  phone: string | null;
}

export interface Me {
  user_id: string;
  email: string;
  role: 'admin' | 'user';
}

export interface Info {
  engine_mode: 'sandbox' | 'baileys';
  realtime_enabled: boolean;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface CreatedKey {
  id: string;
  name: string;
  prefix: string;
  created_at: string;
  key: string;
}

export interface User {
  id: string;
  email: string;
  role: 'admin' | 'user';
  disabled: boolean;
  created_at: string;
  last_login_at: string | null;
}

export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'played' | 'failed' | 'received';

export interface Message {
  message_id: string;
  connection_id: string;
  direction: 'inbound' | 'outbound';
  chat_jid: string;
  from: string | null;
  to: string | null;
  body: string | null;
  type: string;
  push_name: string | null;
  client_message_id: string | null;
  provider_message_id: string | null;
  in_reply_to: { client_message_id?: string | null; provider_message_id?: string | null } | null;
  status: MessageStatus;
  error: string | null;
  timestamp: string | null;
  created_at: string | null;
}

/** realtime `message.status` */
export interface MessageStatusUpdate {
  connection_id: string;
  message_id: string | null;
  client_message_id: string | null;
  provider_message_id: string | null;
  status: MessageStatus;
  error: string | null;
}

export interface Chat {
  chat_jid: string;
  name: string | null;
  phone: string | null;
  is_group: boolean;
  last_message_body: string | null;
  last_message_at: string | null;
  unread_count: number;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** `GET/PUT /api/connections/{id}/webhook`; `events` lists every type when not `filtered`. */
export interface Webhook {
  url: string | null;
  events: string[];
  filtered?: boolean;
  secret_set?: boolean;
  health?: WebhookHealth;
  /** only in the answer that made it */
  secret?: string | null;
}

export interface WebhookHealth {
  pending: number;
  retrying: number;
  failed: number;
  delivered: number;
  last_success_at: string | null;
  last_failure_at: string | null;
  consecutive_failures: number;
  paused_until: string | null;
}

/**
 * One delivery attempt: a row of `GET …/webhook-logs` (all fields) or a realtime
 * `webhook.delivery` (no `id`, `url`, bodies); `state` is the attempt's outcome.
 */
export interface WebhookLog {
  id?: number;
  event_id: string;
  event_type: string;
  url?: string;
  state: string;
  event_state?: string;
  attempt: number;
  response_status: number | null;
  response_body?: string | null;
  latency_ms: number | null;
  error: string | null;
  next_attempt_at?: string | null;
  test?: boolean;
  created_at: string;
}

/** `GET …/webhook-logs`: newest first; `next_before` is the `before` of the next, older page. */
export interface WebhookLogPage {
  connection_id: string;
  logs: WebhookLog[];
  next_before: string | null;
}

/** `POST …/webhook/test`: the receiver's answer. */
export interface WebhookTestAnswer {
  event_id: string;
  url: string;
  delivered: boolean;
  response_status: number | null;
  response_body: string | null;
  latency_ms: number;
  error: string | null;
}
