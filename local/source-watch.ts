import { type FSWatcher, watch } from 'node:fs';
import * as path from 'node:path';

/** Settings of {@link watchSources}. */
export interface SourceWatchOptions {
  /** Folders watched, with everything under them. */
  directories: readonly string[];
  /** Called once per burst of changes (an editor's save writes several times). */
  onChange: (changed: string) => void;
  /** How long a burst lasts. @default 200 ms */
  settleMs?: number;
}

/** A running watch. */
export interface SourceWatch {
  close(): void;
}

// Editors' swap and backup files, and what the tools write next to sources.
const IGNORED = /(^|[\\/])(\.[^\\/]*\.sw.|.*~|node_modules|\.git)([\\/]|$)/;

/**
 * Watches the handlers' sources (recursively; Node does that natively on Linux, macOS and
 * Windows) and reports a change once the burst of writes that makes it has settled.
 */
export function watchSources(options: SourceWatchOptions): SourceWatch {
  const settleMs = options.settleMs ?? 200;
  let timer: NodeJS.Timeout | undefined;
  let last = '';
  const watchers: FSWatcher[] = options.directories.map((directory) =>
    watch(directory, { recursive: true }, (_event, file) => {
      if (file === null || IGNORED.test(String(file))) return;
      last = path.join(directory, String(file));
      clearTimeout(timer);
      timer = setTimeout(() => options.onChange(last), settleMs);
    }),
  );
  return {
    close: () => {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
