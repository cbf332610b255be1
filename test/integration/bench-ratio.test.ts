import { BODY_SIZES } from '../bench/bodies';
import { measureReceiverCpu } from '../bench/receiver-cpu';

/**
 * Regression check on the receiver's CPU cost, as a ratio to its floor (HMAC-SHA256 + JSON.parse of
 * the same body) measured side by side in the same process, so a slow or loaded machine slows both.
 *
 * Why 25×: on a 2-core machine the ratio of medians for 10 KB bodies measured about 2.5–3× idle
 * (BENCHMARKS.md) and at most 3.9× per run with three CPU-bound processes competing for the two
 * cores. 25× is six times that worst case, so a busy CI runner does not fail it; it catches
 * regressions that make the receiver's own work an order of magnitude heavier (say, building
 * clients or schemas per request), not small drifts: those show in BENCHMARKS.md.
 */
const MAX_RATIO = 25;

describe('receiver CPU cost', () => {
  it('stays within 25 × the HMAC + JSON.parse floor for a 10 KB VEHICLE_STATE (medians of 300)', async () => {
    const result = await measureReceiverCpu({
      bodyBytes: BODY_SIZES['10 KB'],
      runs: 3,
      iterations: 300,
      warmup: 300,
    });

    expect(result.ratioP50).toBeLessThanOrEqual(MAX_RATIO);
  });
});
