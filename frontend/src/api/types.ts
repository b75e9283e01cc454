// Names the pages use for the gateway's wire types. Every type here is taken from the generated
// OpenAPI types (schema.d.ts, from openapi.json by `npm run gen:api`): none is written by hand,
// so a change of the API shows up as a compile error, not as a wrong page.
import type { components } from './schema';

type Schemas = components['schemas'];

export type Connection = Schemas['ConnectionView'];
export type ConnectionStatus = Connection['status'];
export type QrInfo = Schemas['QrResponse'];
export type Me = Schemas['Me'];
export type Info = Schemas['Info'];
export type ApiKey = Schemas['KeyView'];
export type CreatedKey = Schemas['CreatedKey'];
export type User = Schemas['UserView'];
export type Message = Schemas['MessageView'];
export type MessageStatus = Message['status'];
export type Chat = Schemas['ChatView'];
export type ChatPage = Schemas['ChatPage'];
export type MessagePage = Schemas['MessagePage'];
export type Webhook = Schemas['WebhookView'];
export type WebhookHealth = Schemas['WebhookHealth'];
export type WebhookLogEntry = Schemas['WebhookLogEntry'];
export type WebhookLogPage = Schemas['WebhookLogPage'];
export type WebhookTestAnswer = Schemas['WebhookTestAnswer'];
export type ConnectionCreated = Schemas['ConnectionCreated'];
export type SendAnswer = Schemas['SendResponse'];
export type ErrorBody = Schemas['ErrorBody'];
export type ClusterNode = Schemas['Node'];
export type Lease = Schemas['Lease'];
