// CPU time the workerd processes started by this process have used (user + system, ms), read from /proc:
// a per-request cost that other load on the machine does not distort, unlike req/s.
import { readFileSync } from "node:fs";

const TICK_MS = 10; // USER_HZ is 100 on Linux

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** The workerd processes below `root` (Miniflare starts one per instance). */
export function workerdPids(root = process.pid): number[] {
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const child of children(pid)) {
      try {
        if (readFileSync(`/proc/${child}/comm`, "utf8").trim() === "workerd") out.push(child);
      } catch {}
      walk(child);
    }
  };
  walk(root);
  return out;
}

function cpuMs(pid: number): number {
  try {
    // Fields after the ")" of comm: state is 3rd; utime and stime are the 14th and 15th of the whole line.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/**
 * Starts counting the CPU of every workerd below this process; `stop()` returns the ms used since. Each
 * Miniflare instance has its own workerd, and an idle one uses next to none, so during one target's load this
 * is that target's CPU: its Worker and, locally, Miniflare's simulators of D1 and the other bindings. `pids`
 * narrows it to one target's processes (bench/ab-cpu.ts runs two at once).
 */
export function workerdCpu(pids = workerdPids()): { stop: () => number } {
  const before = new Map(pids.map((p) => [p, cpuMs(p)]));
  return { stop: () => pids.reduce((t, p) => t + cpuMs(p) - (before.get(p) ?? 0), 0) };
}

/** Resident memory of the workerd processes below this process (VmRSS from /proc), MB. */
export function workerdRssMb(): number {
  const kb = workerdPids().reduce((total, pid) => {
    try {
      const line = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      return total + Number(line?.[1] ?? 0);
    } catch {
      return total;
    }
  }, 0);
  return Math.round(kb / 1024);
}
