/**
 * The programs the bench runs besides Node: wrk (load generator) and redis-server (private Redis
 * instances). Missing ones are installed from Debian's packages when running as root, as
 * scripts/services.sh does; otherwise the bench stops and says what to install.
 */
import { execFileSync } from 'node:child_process';

/** Program name and the Debian package that provides it. */
export const TOOLS = { wrk: 'wrk', 'redis-server': 'redis-server' } as const;
export type Tool = keyof typeof TOOLS;

function onPath(program: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Makes sure every listed program is on PATH; throws with an install hint when it cannot. */
export function ensureTools(tools: readonly Tool[], say: (line: string) => void): void {
  const missing = tools.filter((t) => !onPath(t));
  if (missing.length === 0) return;
  const packages = missing.map((t) => TOOLS[t]);
  if (process.getuid?.() !== 0)
    throw new Error(`missing ${missing.join(', ')}; install with: sudo apt-get install -y ${packages.join(' ')}`);
  say(`installing ${packages.join(', ')} from Debian (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 300_000 });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    stdio: 'ignore',
    env,
    timeout: 300_000,
  });
  const still = tools.filter((t) => !onPath(t));
  if (still.length > 0) throw new Error(`apt-get did not provide ${still.join(', ')}`);
}

/** The kernel's clock tick (USER_HZ), the unit of CPU times in /proc/<pid>/stat. */
export function clockTicksPerSecond(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}
