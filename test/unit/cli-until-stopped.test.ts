import { type ProcessTable, systemProcessTable, untilLauncherGone } from '../../local/cli/until-stopped';

/** A process table whose parents the test changes: pid → parent pid, undefined when gone. */
function table(ownParent: number, parents: Record<number, number | undefined>, underRelay: boolean) {
  const state = { ownParent, parents: { ...parents } };
  let markRead: () => void = () => undefined;
  /** Resolves once the watch has read the table the first time: what it compares against. */
  const firstRead = new Promise<void>((resolve) => (markRead = resolve));
  const processTable: ProcessTable = {
    ownParent: () => state.ownParent,
    parentOf: async (pid) => {
      const parent = state.parents[pid];
      markRead();
      return parent;
    },
    underRelay,
  };
  return { state, processTable, firstRead };
}

const settled = (promise: Promise<unknown>) =>
  Promise.race([promise.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 50))]);

describe('the launch chain watch', () => {
  it('resolves once this process is re-parented: its parent exited', async () => {
    const { state, processTable } = table(100, {}, false);
    const watch = untilLauncherGone(processTable, 5);

    state.ownParent = 1;

    await expect(watch.stopped).resolves.toBe('the process that started it exited');
  });

  it("under tsx's relay, resolves once the relay is re-parented: npm's sh exited", async () => {
    const { state, processTable, firstRead } = table(200, { 200: 150 }, true);
    const watch = untilLauncherGone(processTable, 5);
    await firstRead;

    state.parents[200] = 1;

    await expect(watch.stopped).resolves.toBe('the command that started it exited');
  });

  it('keeps waiting while the chain is whole', async () => {
    const { processTable } = table(200, { 200: 150 }, true);
    const watch = untilLauncherGone(processTable, 5);

    await expect(settled(watch.stopped)).resolves.toBe(false);
    watch.cancel();
  });

  it("does not watch the relay's parent when not under tsx's relay", async () => {
    const { state, processTable } = table(200, { 200: 150 }, false);
    const watch = untilLauncherGone(processTable, 5);

    state.parents[200] = 1;

    await expect(settled(watch.stopped)).resolves.toBe(false);
    watch.cancel();
  });

  it('reads the real process table: the parent of this process is the one Node.js reports', async () => {
    const system = systemProcessTable();

    expect(system.ownParent()).toBe(process.ppid);
    await expect(system.parentOf(process.pid)).resolves.toBe(process.ppid);
    await expect(system.parentOf(2 ** 22 + 1)).resolves.toBeUndefined();
  });
});
