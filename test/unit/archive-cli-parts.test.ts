import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { ArchiveRecord } from '../../lambdas/contract';
import { maskPersonalData } from '../../local/archive/masking';
import { replayRecords } from '../../local/archive/replay';
import { isSelected, parseTimeArgument } from '../../local/archive/selection';
import { vehicleStateEvent } from '../support/builders';

const NOW = Date.UTC(2026, 11, 1, 12);

describe('parseTimeArgument', () => {
  it.each([
    ['90s', NOW - 90_000],
    ['10m', NOW - 600_000],
    ['2h', NOW - 7_200_000],
    ['7d', NOW - 7 * 86_400_000],
    ['1w', NOW - 7 * 86_400_000],
    ['2026-11-30T08:00:00Z', Date.UTC(2026, 10, 30, 8)],
    ['2026-11-30', Date.UTC(2026, 10, 30)],
  ])('reads %s', (text, expected) => {
    expect(parseTimeArgument(text, NOW)).toBe(expected);
  });

  it.each(['yesterday', '2 hours', '-2h', '2026-13-40', ''])('refuses %j', (text) => {
    expect(parseTimeArgument(text, NOW)).toBeUndefined();
  });
});

describe('isSelected', () => {
  const record: ArchiveRecord = {
    received_at: '2026-12-01T11:30:00.000Z',
    event_key: 'sha256:abc',
    event_type: 'VEHICLE_STATE',
    vehicle_id: 'v-1',
    body: '{}',
  };
  const all = { sinceMs: NOW - 3_600_000, untilMs: NOW };

  it.each([
    ['inside the range', all, true],
    ['before the range', { sinceMs: NOW - 60_000, untilMs: NOW }, false],
    ['of another type', { ...all, eventType: 'VEHICLE_ERROR' }, false],
    ['of another vehicle', { ...all, vehicleId: 'v-2' }, false],
    ['named by its event key', { ...all, eventId: 'sha256:abc' }, true],
    ['not named by the event id', { ...all, eventId: 'e-2' }, false],
  ])('takes a delivery %s: %s', (_label, selection, expected) => {
    expect(isSelected(record, selection)).toBe(expected);
  });
});

describe('maskPersonalData', () => {
  it('masks the VIN and locations, and leaves the other signals as they are', () => {
    const event = vehicleStateEvent();
    const masked = JSON.stringify(maskPersonalData(event));

    expect(masked).not.toContain('5YJ3E1EA7KF000316');
    expect(masked).not.toContain('61.1111');
    expect(masked).toContain('«masked»');
    expect(masked).toContain('tractionbattery-stateofcharge');
    expect(masked).toContain('"value":89');
  });
});

describe('replayRecords', () => {
  const sqs = mockClient(SQSClient);
  const records = (count: number): ArchiveRecord[] =>
    Array.from({ length: count }, (_, i) => ({ received_at: '', event_key: `e-${i}`, body: `{"n":${i}}` }));

  beforeEach(() => {
    sqs.reset();
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.map((entry) => ({ Id: entry.Id, MessageId: entry.Id, MD5OfMessageBody: '' })),
    }));
  });
  afterAll(() => sqs.restore());

  it('sends in batches of 10 and reports progress after each', async () => {
    const progress: number[] = [];
    const result = await replayRecords(records(25), {
      client: new SQSClient({ region: 'eu-west-1' }),
      queueUrl: 'q',
      replayId: 'r',
      reprocess: false,
      onProgress: (p) => progress.push(p.sent),
    });

    expect(
      sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries?.length),
    ).toEqual([10, 10, 5]);
    expect(progress).toEqual([10, 20, 25]);
    expect(result).toMatchObject({ sent: 25, failed: 0, total: 25 });
  });

  it('paces a run to at most --rate messages per second', async () => {
    let clock = 0;
    const slept: number[] = [];
    await replayRecords(records(30), {
      client: new SQSClient({ region: 'eu-west-1' }),
      queueUrl: 'q',
      replayId: 'r',
      reprocess: false,
      ratePerSecond: 10,
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
    });

    expect(slept).toEqual([1000, 1000]);
  });

  it('reports the messages SQS refused, by event key', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: '' }],
      Failed: [{ Id: '1', Code: 'InvalidMessageContents', SenderFault: true, Message: 'bad' }],
    });
    const result = await replayRecords(records(2), {
      client: new SQSClient({ region: 'eu-west-1' }),
      queueUrl: 'q',
      replayId: 'r',
      reprocess: true,
    });

    expect(result).toMatchObject({
      sent: 1,
      failed: 1,
      failures: [{ eventKey: 'e-1', reason: 'InvalidMessageContents: bad' }],
    });
  });
});
