/**
 * The Node host's part of a real city: reading the small-area files a scenario names (a bundled
 * data set, or the user's own CSV files, whose paths are relative to the scenario file) into the
 * scenario, where the pure engine finds their text. The tables are parsed once here as well, so a
 * bad file stops the command before any run starts (exit 2, naming file, row and column).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { ConfigError, suggest } from '../sim/config/load.ts';
import type { ScenarioConfig } from '../sim/config/schema.ts';
import { BUNDLED_SMALL_AREAS, parseSmallAreas } from '../sim/smallAreas.ts';

/** How a path appears in messages: relative to the working directory when inside it. */
function display(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

function readText(abs: string, shown: string): string {
  try {
    return readFileSync(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new ConfigError(`${shown}: cannot read the small-area file (city.smallAreas): ${why}.`, 'city.smallAreas');
  }
}

/**
 * Rewrites relative small-area paths of a scenario file's JSON to absolute ones (relative to the
 * file's directory), before `extends` merges it into another file's scenario.
 */
export function anchorSmallAreaPaths(json: unknown, fileDir: string): unknown {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return json;
  const city = (json as Record<string, unknown>).city;
  if (!city || typeof city !== 'object' || Array.isArray(city)) return json;
  const sa = (city as Record<string, unknown>).smallAreas;
  if (!sa || typeof sa !== 'object' || Array.isArray(sa)) return json;
  const o = { ...(sa as Record<string, unknown>) };
  for (const k of ['areas', 'neighbours']) if (typeof o[k] === 'string' && o[k] !== '') o[k] = resolve(fileDir, o[k] as string);
  return { ...json, city: { ...city, smallAreas: o } };
}

/**
 * A scenario with its small-area files read: `city.smallAreas` becomes the object form with both
 * texts (and, for a bundled set, its centre). Unchanged when the city is generated.
 */
export function readSmallAreas(config: ScenarioConfig, packageRoot: string): ScenarioConfig {
  const sa = config.city.smallAreas;
  if (sa === undefined) {
    checkBoundaryCodes(config, null);
    return config;
  }
  let areas: string, neighbours: string, centre: string | undefined;
  let areasShown: string, neighboursShown: string;
  if (typeof sa === 'string') {
    const bundled = BUNDLED_SMALL_AREAS[sa];
    if (!bundled) {
      const names = Object.keys(BUNDLED_SMALL_AREAS);
      throw new ConfigError(
        `field "city.smallAreas": no bundled small-area data set "${sa}"${suggest(sa, names)}; bundled: ${names.join(', ')}; ` +
          'or give your own files as { "areas": "areas.csv", "neighbours": "neighbours.csv" }.',
        'city.smallAreas',
      );
    }
    areas = resolve(packageRoot, bundled.areas);
    neighbours = resolve(packageRoot, bundled.neighbours);
    areasShown = bundled.areas;
    neighboursShown = bundled.neighbours;
    centre = bundled.centre;
  } else {
    if (sa.areasText !== undefined && sa.neighboursText !== undefined) {
      checkBoundaryCodes(config, parseSmallAreas(sa.areasText, sa.neighboursText, { areas: sa.areas, neighbours: sa.neighbours }).codes);
      return config;
    }
    areas = resolve(sa.areas);
    neighbours = resolve(sa.neighbours);
    areasShown = display(areas);
    neighboursShown = display(neighbours);
    centre = sa.centre;
  }
  const areasText = readText(areas, areasShown);
  const neighboursText = readText(neighbours, neighboursShown);
  // Parsed here only to fail early with the file's row and column; the engine parses it again.
  const table = parseSmallAreas(areasText, neighboursText, { areas: areasShown, neighbours: neighboursShown });
  checkBoundaryCodes(config, table.codes);
  if (config.households.count < table.n) {
    throw new ConfigError(
      `field "households.count": ${config.households.count} households cannot fill the ${table.n} small areas of ${areasShown}; expected at least ${table.n}.`,
      'households.count',
    );
  }
  return {
    ...config,
    city: {
      ...config.city,
      smallAreas: { areas: areasShown, neighbours: neighboursShown, ...(centre !== undefined ? { centre } : {}), areasText, neighboursText },
    },
  };
}

/**
 * Area codes in a `cells` boundary must be areas of the city: checked when the scenario is loaded,
 * so a mistyped code is a bad input (exit 2), not a failure years into a run.
 */
function checkBoundaryCodes(config: ScenarioConfig, codes: readonly string[] | null): void {
  const cells = config.policy.boundary?.cells;
  if (!cells) return;
  const known = codes ? new Set(codes) : null;
  cells.forEach((c, i) => {
    if (typeof c !== 'string') return;
    if (!known) {
      throw new ConfigError(
        `field "policy.boundary.cells.${i}": "${c}" is an area code, but this city is generated and its cells have none; expected a cell number.`,
        `policy.boundary.cells.${i}`,
      );
    }
    if (!known.has(c)) {
      throw new ConfigError(
        `field "policy.boundary.cells.${i}": "${c}" is not an area of this city${suggest(c, codes!)}; expected a code from the small-area table.`,
        `policy.boundary.cells.${i}`,
      );
    }
  });
}
