// A horizontal bar chart as SVG, one group of bars per scenario, so a reader sees at a glance
// where oras-ts stands against each baseline (shorter is faster).

const COLORS = ['#1f6feb', '#8b949e', '#d29922', '#3fb950', '#a371f7'];

function escapeXml(text) {
  return String(text).replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c],
  );
}

/**
 * @param {{ scenario: string, verdict?: string, results: { tool: string, seconds: number }[] }[]} groups
 * @returns {string} the SVG document
 */
export function barChart(groups, title) {
  const barHeight = 18;
  const gap = 6;
  const groupGap = 22;
  const labelWidth = 250;
  const chartWidth = 520;
  const tools = [...new Set(groups.flatMap((g) => g.results.map((r) => r.tool)))];
  let y = 50;
  const parts = [];
  for (const group of groups) {
    const max = Math.max(...group.results.map((r) => r.seconds));
    const status = !group.verdict
      ? ''
      : group.verdict.includes('NOT')
        ? '<tspan fill="#cf222e" font-weight="normal">  goal not met</tspan>'
        : '<tspan fill="#1a7f37" font-weight="normal">  goal met</tspan>';
    parts.push(`<text x="10" y="${y + 12}" font-weight="bold">${escapeXml(group.scenario)}${status}</text>`);
    y += 20;
    for (const result of group.results) {
      const width = max > 0 ? Math.max(1, (result.seconds / max) * chartWidth) : 1;
      const color = COLORS[tools.indexOf(result.tool) % COLORS.length];
      parts.push(
        `<text x="${labelWidth - 8}" y="${y + 13}" text-anchor="end">${escapeXml(result.tool)}</text>`,
        `<rect x="${labelWidth}" y="${y}" width="${width.toFixed(1)}" height="${barHeight}" fill="${color}"/>`,
        `<text x="${labelWidth + width + 6}" y="${y + 13}">${result.seconds.toFixed(2)} s</text>`,
      );
      y += barHeight + gap;
    }
    y += groupGap;
  }
  const height = y + 10;
  const width = labelWidth + chartWidth + 90;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="24" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="10" y="40" fill="#57606a">median wall time, shorter is faster</text>`,
    ...parts,
    '</svg>',
  ].join('\n');
}
