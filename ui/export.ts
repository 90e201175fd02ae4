/** Downloads: CSV of the series, SVG and PNG of a chart or map, the scenario as JSON. */
import type { YearFrame } from '../sim/types.ts';

export function download(name: string, blob: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** The series as tidy rows: run, policy, role, year, block, metric, value. */
export function seriesCsv(runs: { run: string; policy: string; role: string; frames: readonly YearFrame[] }[]): string {
  const out = ['run,policy,role,year,block,metric,value'];
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  for (const r of runs) {
    for (const f of r.frames) {
      for (const [block, values] of Object.entries(f)) {
        if (block === 'year' || !values || typeof values !== 'object') continue;
        for (const [metric, v] of Object.entries(values as Record<string, number>)) {
          out.push([q(r.run), q(r.policy), r.role, String(f.year), block, q(metric), String(v)].join(','));
        }
      }
    }
  }
  return `${out.join('\n')}\n`;
}

function svgText(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  // A white background: exported pictures are pasted onto slides and documents of any colour.
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', '#fff');
  clone.insertBefore(bg, clone.firstChild);
  return new XMLSerializer().serializeToString(clone);
}

export function downloadSvg(svg: SVGSVGElement, name: string): void {
  download(`${name}.svg`, new Blob([svgText(svg)], { type: 'image/svg+xml' }));
}

export async function downloadPng(svg: SVGSVGElement, name: string, scale = 2): Promise<void> {
  const w = Number(svg.getAttribute('width')) || svg.clientWidth;
  const h = Number(svg.getAttribute('height')) || svg.clientHeight;
  const img = new Image();
  const url = URL.createObjectURL(new Blob([svgText(svg)], { type: 'image/svg+xml' }));
  try {
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the picture could not be rendered'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = w * scale;
    canvas.height = h * scale;
    const ctx = canvas.getContext('2d')!;
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0, w, h);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('the browser could not encode a PNG');
    download(`${name}.png`, blob);
  } finally {
    URL.revokeObjectURL(url);
  }
}
