// The Socket.IO events the gateway pushes, each with its payload type. One map, taken from the
// OpenAPI document: `x-realtime-events` in openapi.json names each event's payload schema, and
// realtime-events.test.ts fails when this map and the document disagree. The payload types are
// the generated schema types (connection.status is exactly a ConnectionView, and so on).
import type { components } from '../api/schema';

type Schemas = components['schemas'];

/** Event name → name of its payload schema in the OpenAPI document. */
export const REALTIME_EVENT_SCHEMAS = {
  'connection.status': 'ConnectionView',
  'connection.qr': 'QrResponse',
  'message.new': 'MessageView',
  'message.status': 'MessageStatusEvent',
  'webhook.delivery': 'WebhookDeliveryEvent',
  'message.media': 'MessageMediaEvent',
  call: 'CallEvent',
  'presence.update': 'PresenceEvent',
  'group.participants': 'GroupParticipantsEvent',
  'group.updated': 'GroupUpdatedEvent',
} as const satisfies Record<string, keyof Schemas>;

export type RealtimeEventName = keyof typeof REALTIME_EVENT_SCHEMAS;

/** Event name → payload type. */
export type RealtimeEvents = { [E in RealtimeEventName]: Schemas[(typeof REALTIME_EVENT_SCHEMAS)[E]] };

export type MessageStatusEvent = RealtimeEvents['message.status'];
export type WebhookDeliveryEvent = RealtimeEvents['webhook.delivery'];
export type MessageMediaEvent = RealtimeEvents['message.media'];
export type CallEvent = RealtimeEvents['call'];
export type PresenceEvent = RealtimeEvents['presence.update'];
