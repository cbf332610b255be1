import { IDEMPOTENCY_TABLE } from '../../lambdas/contract';
import { logicalId, propertiesOf, synthWebhooks } from './synth';

describe('idempotency table', () => {
  const { webhooks, template } = synthWebhooks();
  const table = propertiesOf(template, webhooks.processing.idempotencyTable);

  it('is keyed by the string attribute the Powertools persistence layer writes', () => {
    expect(table).toMatchObject({
      KeySchema: [{ AttributeName: IDEMPOTENCY_TABLE.partitionKey, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: IDEMPOTENCY_TABLE.partitionKey, AttributeType: 'S' }],
    });
  });

  it('bills per request', () => {
    expect(table).toMatchObject({ BillingMode: 'PAY_PER_REQUEST' });
  });

  it('expires records by TTL on the expiry attribute', () => {
    expect(table).toMatchObject({
      TimeToLiveSpecification: { AttributeName: IDEMPOTENCY_TABLE.expiryAttribute, Enabled: true },
    });
  });

  it('has point-in-time recovery', () => {
    expect(table).toMatchObject({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
  });

  it('is encrypted with the AWS-managed key', () => {
    expect(table).toMatchObject({ SSESpecification: { SSEEnabled: true } });
  });

  it('is retained when removed from the stack', () => {
    const resource = template.toJSON().Resources[logicalId(webhooks.processing.idempotencyTable)];
    expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});
