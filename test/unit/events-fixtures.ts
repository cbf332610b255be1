/**
 * The protocol reference's sample payloads (known-answer vectors for the event model) and the
 * helpers that break or extend exactly one thing, from the test kit. Each call returns a fresh
 * object, so a test may mutate it.
 */
export { signal, SAMPLE_LATITUDE, SAMPLE_VIN } from '../../local/kit/event-parts';
export { type Json, type JsonPath, removeAt, setAt } from '../../local/kit/json';
export {
  dashboardTestMeta,
  legacyDynamicSample,
  legacyEventBasedSample,
  legacyScheduleSample,
  legacyVerifySample,
  vehicleErrorSample,
  vehicleStateSample,
  verifySample,
  withSignalsKeyedByName,
} from '../../local/kit/reference-events';
