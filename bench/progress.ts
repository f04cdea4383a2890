import { SingleBar } from 'cli-progress';

export interface Progress {
  tick(by?: number, label?: string): void;
  stop(): void;
}

/**
 * A bar on a terminal; elsewhere (CI, a pipe) a plain line every ~10%, so a long phase is never silent.
 */
export function startProgress(title: string, total: number): Progress {
  if (process.stdout.isTTY) {
    const bar = new SingleBar({
      format: `  ${title} [{bar}] {value}/{total} {label}`,
      barsize: 30,
      hideCursor: true,
      clearOnComplete: true,
    });
    bar.start(total, 0, { label: '' });
    return {
      tick: (by = 1, label = '') => bar.increment(by, { label }),
      stop: () => bar.stop(),
    };
  }
  let done = 0;
  let lastShown = 0;
  const step = Math.max(1, Math.ceil(total / 10));
  return {
    tick: (by = 1, label = '') => {
      done += by;
      if (done - lastShown >= step || done === total) {
        lastShown = done;
        process.stdout.write(`  ${title}: ${done}/${total}${label ? ` ${label}` : ''}\n`);
      }
    },
    stop: () => undefined,
  };
}

/** For one long step that cannot report its own progress (a set-based seed): the time so far, every 15 s. */
export async function withHeartbeat<T>(label: string, work: Promise<T>): Promise<T> {
  const started = performance.now();
  const report = () => process.stdout.write(`  ${label}: ${Math.round((performance.now() - started) / 1000)} s so far\n`);
  const timer = setInterval(report, 15_000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
