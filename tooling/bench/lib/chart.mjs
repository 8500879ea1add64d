// A horizontal bar chart as SVG, one group of bars per scenario, so a reader sees at a glance
// where oras-ts stands against each baseline (shorter is faster).

// The same colour for the same kind of tool in every group: oras-ts blue (its library green), the
// Go peer orange, skopeo grey, the floors and limits purple, experiments teal.
function colorOf(tool) {
  if (tool.startsWith('oras-ts library')) return '#3fb950';
  if (tool.startsWith('oras-ts')) return '#1f6feb';
  if (tool.startsWith('oras-go')) return '#d29922';
  if (tool.startsWith('skopeo')) return '#8b949e';
  if (tool.startsWith('experiment')) return '#1b998b';
  return '#a371f7';
}

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
      const color = colorOf(result.tool);
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
