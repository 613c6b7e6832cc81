// SVG charts drawn from the results, so that the report's pictures are never edited by hand.

/** One bar: a client and its value. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Text drawn after the bar (the value and its ratio). */
  readonly caption: string;
  /** The limit's bar and our rows are drawn in their own colours. */
  readonly kind: 'limit' | 'ours' | 'peer';
}

/** One line of a log-log chart. */
export interface Line {
  readonly label: string;
  readonly points: readonly (readonly [x: number, y: number])[];
  readonly kind: 'limit' | 'ours' | 'peer';
}

const font = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
const colours = { limit: '#555555', ours: '#c2185b', peer: '#1976d2' } as const;
const palette = ['#1976d2', '#00897b', '#f57c00', '#7b1fa2', '#6d4c41', '#0097a7', '#689f38', '#5d4037'];
const ourPalette = ['#c2185b', '#e91e63', '#ad1457', '#f06292'];

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const round = (value: number): string => (Math.round(value * 10) / 10).toString();

/** Horizontal bar panels side by side, one row per client. */
export function barChart(title: string, panels: readonly { heading: string; bars: readonly Bar[] }[]): string {
  const labelWidth = 290;
  const panelWidth = 330;
  const barArea = 190;
  const rowHeight = 24;
  const top = 62;
  const rows = Math.max(...panels.map((panel) => panel.bars.length));
  const width = labelWidth + panels.length * panelWidth + 10;
  const height = top + rows * rowHeight + 16;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${font} font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="15" font-weight="600">${escape(title)}</text>`,
  ];
  panels[0]?.bars.forEach((bar, row) => {
    const y = top + row * rowHeight;
    parts.push(`<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escape(bar.label)}</text>`);
  });
  panels.forEach((panel, index) => {
    const x0 = labelWidth + index * panelWidth;
    const max = Math.max(...panel.bars.map((bar) => (Number.isFinite(bar.value) ? bar.value : 0)));
    parts.push(`<text x="${x0}" y="${top - 12}" font-weight="600">${escape(panel.heading)}</text>`);
    parts.push(`<line x1="${x0}" y1="${top - 4}" x2="${x0}" y2="${top + rows * rowHeight}" stroke="#999999"/>`);
    panel.bars.forEach((bar, row) => {
      const y = top + row * rowHeight;
      const length = Number.isFinite(bar.value) && max > 0 ? (bar.value / max) * barArea : 0;
      parts.push(
        `<rect x="${x0}" y="${y + 3}" width="${round(length)}" height="${rowHeight - 8}" fill="${colours[bar.kind]}"/>`,
      );
      parts.push(`<text x="${round(x0 + length + 5)}" y="${y + 15}" fill="#333333">${escape(bar.caption)}</text>`);
    });
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** A log-log chart of lines (x: calls in flight, y: microseconds per answer). */
export function logLogChart(title: string, xLabel: string, yLabel: string, lines: readonly Line[]): string {
  const width = 900;
  const plot = { left: 70, top: 44, width: 520, height: 340 };
  const height = plot.top + plot.height + 60;
  const xs = lines.flatMap((line) => line.points.map(([x]) => x));
  const ys = lines.flatMap((line) => line.points.map(([, y]) => y)).filter((y) => y > 0 && Number.isFinite(y));
  const xMin = Math.log10(Math.min(...xs));
  const xMax = Math.log10(Math.max(...xs));
  const yMin = Math.floor(Math.log10(Math.min(...ys)));
  const yMax = Math.ceil(Math.log10(Math.max(...ys)));
  const px = (x: number) => plot.left + ((Math.log10(x) - xMin) / (xMax - xMin || 1)) * plot.width;
  const py = (y: number) => plot.top + plot.height - ((Math.log10(y) - yMin) / (yMax - yMin || 1)) * plot.height;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${font} font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="15" font-weight="600">${escape(title)}</text>`,
    `<rect x="${plot.left}" y="${plot.top}" width="${plot.width}" height="${plot.height}" fill="none" stroke="#999999"/>`,
  ];
  for (let exponent = yMin; exponent <= yMax; exponent++) {
    // 1, 2 and 5 of each decade, so that lines close together can still be read.
    for (const step of exponent < yMax ? [1, 2, 5] : [1]) {
      const tick = step * 10 ** exponent;
      const y = round(py(tick));
      const stroke = step === 1 ? '#dddddd' : '#f2f2f2';
      parts.push(`<line x1="${plot.left}" y1="${y}" x2="${plot.left + plot.width}" y2="${y}" stroke="${stroke}"/>`);
      parts.push(`<text x="${plot.left - 6}" y="${y}" text-anchor="end" dy="4">${escape(String(tick))}</text>`);
    }
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    const at = round(px(x));
    parts.push(`<line x1="${at}" y1="${plot.top}" x2="${at}" y2="${plot.top + plot.height}" stroke="#eeeeee"/>`);
    parts.push(
      `<text x="${at}" y="${plot.top + plot.height + 18}" text-anchor="middle">${escape(x.toLocaleString('en-US'))}</text>`,
    );
  }
  parts.push(
    `<text x="${plot.left + plot.width / 2}" y="${plot.top + plot.height + 40}" text-anchor="middle">${escape(xLabel)}</text>`,
    `<text x="16" y="${plot.top + plot.height / 2}" text-anchor="middle" transform="rotate(-90 16 ${plot.top + plot.height / 2})">${escape(yLabel)}</text>`,
  );
  let peers = 0;
  let ours = 0;
  lines.forEach((line, index) => {
    const colour =
      line.kind === 'limit'
        ? colours.limit
        : line.kind === 'ours'
          ? ourPalette[ours++ % ourPalette.length]!
          : palette[peers++ % palette.length]!;
    const dash = line.kind === 'limit' ? ' stroke-dasharray="6 4"' : '';
    const points = line.points.filter(([, y]) => y > 0 && Number.isFinite(y));
    if (points.length > 1) {
      const path = points.map(([x, y]) => `${round(px(x))},${round(py(y))}`).join(' ');
      parts.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
    }
    for (const [x, y] of points)
      parts.push(`<circle cx="${round(px(x))}" cy="${round(py(y))}" r="3" fill="${colour}"/>`);
    const legendY = plot.top + 8 + index * 20;
    const legendX = plot.left + plot.width + 20;
    parts.push(
      `<line x1="${legendX}" y1="${legendY}" x2="${legendX + 24}" y2="${legendY}" stroke="${colour}" stroke-width="2"${dash}/>`,
      `<text x="${legendX + 30}" y="${legendY + 4}">${escape(line.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
