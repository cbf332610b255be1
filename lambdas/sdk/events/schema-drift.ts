/**
 * Tolerances `parseSmartcarEvent()` applied to accept an event whose shape drifted from the
 * documented one (protocol reference, sections 4, 5 and 8). Each parsed event lists the codes it
 * needed, once each; the processor counts them as the `drift` dimension of `SchemaDrift`, so these
 * values are CloudWatch dimension values: add codes rarely and never rename one.
 *
 * Not drift, so not counted: unknown extra fields (Smartcar adds fields routinely), documented
 * optional parts (a success signal without `status` or with `meta: {}`, `errors[].signals` or
 * `resolution` missing, `resolution.type` null, an error `code` null, `"signals": []`).
 */
export const SCHEMA_DRIFT = {
  /**
   * No `meta` (or `meta: null`): Dashboard test deliveries and some makes. The meta codes below
   * are then not reported as well: they describe a `meta` that is there but incomplete.
   */
  metaMissing: 'META_MISSING',
  /** `meta` without `version`: read as the current envelope ("4.0"). */
  metaVersionMissing: 'META_VERSION_MISSING',
  /** `meta.version` "3.0" (an older doc page): read as the current envelope. */
  metaVersion3: 'META_VERSION_3',
  /** `meta` without a usable `webhookId` (legacy envelopes: top-level `webhookId`). */
  webhookIdMissing: 'WEBHOOK_ID_MISSING',
  /** `meta` without a usable `deliveryId`. */
  deliveryIdMissing: 'DELIVERY_ID_MISSING',
  /** `meta` without a usable `deliveredAt`: timestamps fall back to the caller's (e.g. SQS SentTimestamp). */
  deliveredAtMissing: 'DELIVERED_AT_MISSING',
  /** `meta.deliveredAt` as an ISO-8601 string instead of epoch milliseconds. */
  deliveredAtIsoString: 'DELIVERED_AT_ISO_STRING',
  /** `meta.deliveredAt` in epoch seconds instead of milliseconds. */
  deliveredAtEpochSeconds: 'DELIVERED_AT_EPOCH_SECONDS',
  /** A VERIFY without `eventId` (section 8); every other event needs one. */
  eventIdMissing: 'EVENT_ID_MISSING',
  /** No `data.vehicle.id`; the vehicle was read from the top-level `vehicleId` some doc pages show. */
  vehicleIdTopLevel: 'VEHICLE_ID_TOP_LEVEL',
  /**
   * An optional descriptive field had a value of the wrong type and was left out of the parsed
   * event (it holds undefined): `meta` fields, `data.user`, `data.vehicle` make/model/year, a
   * signal's `name`/`group`/`meta` timestamps, an error's texts and `resolution`.
   */
  optionalFieldInvalid: 'OPTIONAL_FIELD_INVALID',
  /** `data.signals` as an object keyed by name (one doc page); normalized to a list. */
  signalsAsObject: 'SIGNALS_AS_OBJECT',
  /**
   * A signal entry with a `code` but neither a readable value nor a Smartcar error status (no
   * `body`, a `body` that is not an object, an unknown `status.value`, an error without `type`):
   * kept, and read by `readSignal()` as `{ ok: false }` with source `UNREADABLE`.
   */
  signalUnreadable: 'SIGNAL_UNREADABLE',
  /** A signal's `meta.fetchedAt` without `retrievedAt` (the VEHICLE_STATE reference page's name). */
  signalFetchedAt: 'SIGNAL_FETCHED_AT',
  /** Triggers inside `data.triggers` instead of (or as well as) the top-level `triggers`. */
  triggersInData: 'TRIGGERS_IN_DATA',
  /** A trigger's `signal` as a dotted string (`"Charge.IsCharging"`) instead of `{ code, name, group }`. */
  triggerSignalDotted: 'TRIGGER_SIGNAL_DOTTED',
  /**
   * A trigger without `type`, identified by `code` alone: `{ code: "FIRST_DELIVERY" }`, or a
   * signal code as in `{ code: "charge-ischarging", name, group }`.
   */
  triggerCodeForm: 'TRIGGER_CODE_FORM',
  /** A VEHICLE_ERROR error's `signals` holding dotted strings instead of `{ code, name, group }`. */
  errorSignalsDotted: 'ERROR_SIGNALS_DOTTED',
  /** An error's `state` other than ERROR or RESOLVED: passed on as it came by `classifyVehicleError()`. */
  errorStateUnknown: 'ERROR_STATE_UNKNOWN',
  /** An error without a usable `state` (also the best-practices shape): classified as ERROR. */
  errorStateMissing: 'ERROR_STATE_MISSING',
  /** An error `type` from the best-practices page (`PERMISSION_ERROR` …) that no real payload uses. */
  errorAliasType: 'ERROR_ALIAS_TYPE',
} as const;

/** One of {@link SCHEMA_DRIFT}. */
export type SchemaDriftCode = (typeof SCHEMA_DRIFT)[keyof typeof SCHEMA_DRIFT];
