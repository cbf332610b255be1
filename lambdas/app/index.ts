import { WebhookApp } from '../sdk';
import { onStateOfCharge } from './battery';
import { onLegacyEvent } from './legacy-event';
import { onVehicleError } from './vehicle-error';
import { onVehicleState } from './vehicle-state';

/**
 * YOUR BUSINESS LOGIC, registered here. The processor parses and validates each event, skips
 * duplicates (per eventId, 7 days), records the latest state when enabled, and runs these handlers;
 * a handler that throws fails only its own event, which SQS redelivers (3 attempts, then the DLQ).
 * Throw UnprocessableEventError for an event that can never succeed: it goes to the DLQ at once.
 */
export const app = new WebhookApp()
  .onVehicleState(onVehicleState)
  .onSignal('tractionbattery-stateofcharge', onStateOfCharge)
  .onVehicleError(onVehicleError)
  .onLegacyEvent(onLegacyEvent);
