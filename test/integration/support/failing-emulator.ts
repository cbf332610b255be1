/** A serve function for `startEmulatorThread` whose start fails, as one with a bad data folder does. */
export async function serveNothing(args: { reason: string }): Promise<never> {
  throw new Error(args.reason);
}
