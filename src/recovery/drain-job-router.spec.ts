import { DrainJob } from './drain-queue.port';
import { DrainJobRouter } from './drain-job-router';
import { InProcessDrainQueue } from './in-process-drain-queue.adapter';

describe('DrainJobRouter', () => {
  let queue: InProcessDrainQueue;
  let router: DrainJobRouter;

  beforeEach(() => {
    queue = new InProcessDrainQueue();
    router = new DrainJobRouter(queue);
  });
  afterEach(() => queue.close());

  const ran = () => {
    const jobs: DrainJob[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    return { jobs, finished, runner: async (job: DrainJob) => void (jobs.push(job), done()) };
  };

  it('hands each job to the runner of its kind, once the app has bootstrapped', async () => {
    const incidents = ran();
    const recoveries = ran();
    router.registerRunner('incident', incidents.runner);
    router.registerRunner('recovery', recoveries.runner);
    await queue.enqueue({ kind: 'recovery', id: 'r1' });
    router.onApplicationBootstrap();
    await queue.enqueue({ kind: 'incident', id: 'i1' });
    await Promise.all([incidents.finished, recoveries.finished]);
    expect(incidents.jobs).toEqual([{ kind: 'incident', id: 'i1' }]);
    expect(recoveries.jobs).toEqual([{ kind: 'recovery', id: 'r1' }]);
  });

  it('refuses a second runner for one kind', () => {
    router.registerRunner('recovery', ran().runner);
    expect(() => router.registerRunner('recovery', ran().runner)).toThrow(/already registered/);
  });

  it('a job of a kind nobody runs fails alone; the next job still runs', async () => {
    const recoveries = ran();
    router.registerRunner('recovery', recoveries.runner);
    router.onApplicationBootstrap();
    await queue.enqueue({ kind: 'incident', id: 'orphan' });
    await queue.enqueue({ kind: 'recovery', id: 'r2' });
    await recoveries.finished;
    expect(recoveries.jobs).toEqual([{ kind: 'recovery', id: 'r2' }]);
  });
});
