import { Activity } from '../activity';
import type { DeliveryTimeline } from './timeline';

/**
 * The console display, with each of its inputs also handed to the inspector's timeline, after the
 * display has taken it: one set of inputs, two views (the lines printed, `/_local/`), so the
 * inspector shows no outcome the console did not. The pipeline builds this instead of a plain
 * {@link Activity}; the display itself knows nothing of the inspector.
 */
export class ObservedActivity extends Activity {
  constructor(
    private readonly timeline: DeliveryTimeline,
    ...display: ConstructorParameters<typeof Activity>
  ) {
    super(...display);
  }

  override delivery(...args: Parameters<Activity['delivery']>): void {
    super.delivery(...args);
    this.timeline.delivery(args[0]);
  }

  override record(...args: Parameters<Activity['record']>): void {
    super.record(...args);
    this.timeline.record(args[0]);
  }

  override deadLettered(...args: Parameters<Activity['deadLettered']>): void {
    super.deadLettered(...args);
    this.timeline.deadLettered(args[0]);
  }

  override log(...args: Parameters<Activity['log']>): void {
    super.log(...args);
    this.timeline.log(args[0]);
  }
}
