/** A Markdown-style table; the first `textColumns` columns are left-aligned, numbers right-aligned. */
export function table(rows: string[][], textColumns = 3): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row, index) => {
      const line = row
        .map((cell, column) =>
          column < textColumns ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
        )
        .join(' | ');
      return index === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}` : line;
    })
    .join('\n');
}

export function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** One round of one target in one scenario. */
export interface Result {
  target: string;
  scenario: string;
  connections: number;
  round: number;
  rps: number;
  /** The target's CPU time per request served: robust to other load on the machine. */
  cpuUsPerRequest: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

interface Cell {
  rps: number;
  cpu: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Which rows to print and which targets the ratio columns divide by. */
export interface TableLayout {
  scenarios: string[];
  connectionCounts: number[];
  targets: string[];
  bare: string;
  raw: string;
  off: string;
}

/** The summary table: each target's median round per scenario and connection count, with ratios. */
export function resultRows(all: Result[], layout: TableLayout): string[][] {
  const cell = (target: string, scenario: string, connections: number): Cell | undefined => {
    const results = all.filter(
      (r) => r.target === target && r.scenario === scenario && r.connections === connections,
    );
    if (results.length === 0) return undefined;
    return {
      rps: median(results.map((r) => r.rps)),
      cpu: median(results.map((r) => r.cpuUsPerRequest)),
      p50: median(results.map((r) => r.p50)),
      p99: median(results.map((r) => r.p99)),
      errors: results.reduce((sum, r) => sum + r.errors + r.non2xx, 0),
    };
  };
  const ratio = (value: number, base: Cell | undefined) => (base ? (value / base.rps).toFixed(2) : '');
  const { bare: BARE, raw: RAW, off: OFF } = layout;
  const rows = [
    [
      'scenario',
      'conns',
      'target',
      'req/s',
      'p50 ms',
      'p99 ms',
      'errors',
      'CPU µs/req',
      'vs bare',
      'vs raw',
      'vs off',
    ],
  ];
  for (const scenario of layout.scenarios) {
    for (const connections of layout.connectionCounts) {
      const bare = cell(BARE, scenario, connections);
      const raw = cell(RAW, scenario, connections);
      const off = cell(OFF, scenario, connections);
      for (const target of layout.targets) {
        const result = cell(target, scenario, connections);
        if (!result) continue;
        rows.push([
          scenario,
          String(connections),
          target,
          result.rps.toFixed(0),
          result.p50.toFixed(1),
          result.p99.toFixed(1),
          String(result.errors),
          result.cpu.toFixed(0),
          target === BARE ? '' : ratio(result.rps, bare),
          target === BARE || target === RAW ? '' : ratio(result.rps, raw),
          target.startsWith('task-api') && target !== OFF ? ratio(result.rps, off) : '',
        ]);
      }
    }
  }
  return rows;
}
