import { describe, expect, it } from 'vitest';
// the document the generated types come from (written by OpenApiDocumentIntegrationTest)
import openapi from '../../openapi.json';
import { REALTIME_EVENT_SCHEMAS } from './realtime-events';

const doc = openapi as unknown as {
  'x-realtime-events': Record<string, string>;
  components: { schemas: Record<string, unknown> };
};

describe('realtime events', () => {
  it('are exactly the events the OpenAPI document lists, with the same payload schemas', () => {
    const fromDoc = doc['x-realtime-events'];
    const mine = Object.fromEntries(
      Object.entries(REALTIME_EVENT_SCHEMAS).map(([event, schema]) => [event, `#/components/schemas/${schema}`]),
    );
    expect(mine).toEqual(fromDoc);
  });

  it('name payload schemas that exist', () => {
    for (const schema of Object.values(REALTIME_EVENT_SCHEMAS)) {
      expect(doc.components.schemas[schema], schema).toBeDefined();
    }
  });
});
