import axe from 'axe-core';
import type { AxeResults, ImpactValue, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';

/** One rule an axe scan found broken, with the elements that break it. */
export interface AxeFinding {
  id: string;
  impact: ImpactValue | undefined;
  help: string;
  nodes: { target: string; summary: string }[];
}

type AxeRunner = { run(options: RunOptions): Promise<AxeResults> };

/**
 * Runs axe-core (the npm package's own source, injected into the page: no CDN)
 * over the whole page and returns the violations of serious or critical impact.
 */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  const loaded = await page.evaluate(() => 'axe' in globalThis);
  if (!loaded) {
    await page.evaluate(axe.source);
  }
  const violations = await page.evaluate(async () => {
    const runner = (globalThis as unknown as { axe: AxeRunner }).axe;
    const results = await runner.run({ resultTypes: ['violations'] });
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? undefined,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({
        target: node.target.map(String).join(' '),
        summary: node.failureSummary ?? '',
      })),
    }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** The findings as lines to read in a failed assertion. */
export function describeFindings(findings: readonly AxeFinding[]): string {
  return findings
    .map(
      (finding) =>
        `${finding.impact ?? '?'} ${finding.id}: ${finding.help}\n` +
        finding.nodes
          .map((node) => `  ${node.target}\n    ${node.summary.replace(/\n/g, '\n    ')}`)
          .join('\n'),
    )
    .join('\n');
}
