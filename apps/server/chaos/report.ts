import type { Finding } from './invariants';
import type { ProbeAnswer } from './prober';

/** One row of the closing table: a fault (or the warm-up, or the final drain) and what it cost. */
export interface WindowResult {
  readonly name: string;
  readonly start: number;
  /** How long after healing every process was ready, a full prober cycle succeeded and drivers moved; null if never. */
  readonly recoveryMs: number | null;
  readonly answers: readonly ProbeAnswer[];
}

/** A broken rule and the window whose check first found it. */
export interface WindowFinding {
  readonly finding: Finding;
  readonly window: number;
}

export interface RunReport {
  readonly windows: readonly WindowResult[];
  readonly findings: readonly WindowFinding[];
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ');
}

/** Requests that broke the rule: an answer other than 2xx, 4xx or a 503 with the envelope, or none in time. */
export function broken(answers: readonly ProbeAnswer[]): ProbeAnswer[] {
  return answers.filter((answer) => answer.outcome === 'bad' || answer.outcome === 'hang');
}

/** True when nothing was lost, every request was answered and every fault recovered. */
export function passed(report: RunReport): boolean {
  return (
    report.findings.length === 0 &&
    report.windows.every((window) => window.recoveryMs !== null && broken(window.answers).length === 0)
  );
}

/**
 * The closing table (fault, time to recover, requests refused, requests
 * broken, anything lost), then each broken rule with a few examples. A
 * finding counts against the fault after which it was first seen: every
 * window waits until what began before its fault healed has settled.
 */
export function formatReport(report: RunReport): string {
  const lost = report.windows.map(() => 0);
  for (const { window } of report.findings) {
    lost[window] = (lost[window] ?? 0) + 1;
  }
  const header = ['fault', 'recovered in', 'requests', 'refused (503)', 'broken (5xx/hang)', 'lost'];
  const rows = report.windows.map((window, index) => [
    window.name,
    window.recoveryMs === null ? 'NOT RECOVERED' : `${(window.recoveryMs / 1000).toFixed(1)} s`,
    String(window.answers.length),
    String(window.answers.filter((answer) => answer.outcome === 'refused').length),
    String(broken(window.answers).length),
    String(lost[index] ?? 0),
  ]);
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const lines = [
    pad(header, widths),
    pad(
      widths.map((width) => '-'.repeat(width)),
      widths,
    ),
    ...rows.map((row) => pad(row, widths)),
  ];

  const byInvariant = new Map<string, Finding[]>();
  for (const { finding } of report.findings) {
    byInvariant.set(finding.invariant, [...(byInvariant.get(finding.invariant) ?? []), finding]);
  }
  for (const [invariant, findings] of byInvariant) {
    lines.push('', `FAILED ${invariant}: ${findings.length}`);
    for (const finding of findings.slice(0, 5)) {
      lines.push(`  ${finding.subject}`);
    }
  }
  for (const window of report.windows) {
    const bad = broken(window.answers);
    if (bad.length > 0) {
      lines.push('', `FAILED every request answered, during ${window.name}: ${bad.length}`);
      for (const answer of bad.slice(0, 5)) {
        lines.push(
          `  ${answer.op} -> ${answer.outcome} ${answer.status} after ${answer.ms} ms ${answer.detail}`,
        );
      }
    }
    if (window.recoveryMs === null) {
      lines.push('', `FAILED recovers by itself: ${window.name}`);
    }
  }
  lines.push('', passed(report) ? 'chaos: every fault recovered, nothing lost' : 'chaos: FAILED');
  return `${lines.join('\n')}\n`;
}
