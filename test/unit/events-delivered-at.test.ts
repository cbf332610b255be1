import { deliveredAtMs, EPOCH_SECONDS_BELOW, toEpochMs } from '../../lambdas/sdk/events/delivered-at';

describe('deliveredAtMs', () => {
  it.each<[string, number | string, number]>([
    ['epoch milliseconds unchanged', 1769937943464, 1769937943464],
    ['epoch seconds times 1000', 1769937943, 1769937943000],
    ['fractional epoch seconds rounded to a millisecond', 1769937943.4641, 1769937943464],
    ['an ISO-8601 string in UTC', '2026-02-01T09:25:43.464Z', 1769937943464],
    ['an ISO-8601 string with an offset', '2026-02-01T10:25:43.464+01:00', 1769937943464],
  ])('reads %s', (_name, deliveredAt, expected) => {
    expect(deliveredAtMs({ deliveredAt })).toBe(expected);
  });

  it.each([
    ['meta has no deliveredAt', {}],
    ['there is no meta', undefined],
  ])('is undefined when %s', (_name, meta) => {
    expect(deliveredAtMs(meta)).toBeUndefined();
  });
});

describe('toEpochMs', () => {
  it('reads values from 1e12 on as milliseconds and below as seconds', () => {
    expect(toEpochMs(EPOCH_SECONDS_BELOW)).toBe(EPOCH_SECONDS_BELOW);
    expect(toEpochMs(EPOCH_SECONDS_BELOW - 1)).toBe((EPOCH_SECONDS_BELOW - 1) * 1000);
  });
});
