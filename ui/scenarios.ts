/**
 * The bundled scenarios, collected at build time from `scenarios/*.json`: a new file there appears
 * in the lab's picker without a code change. Resolution (`extends`) and validation are the pure
 * rules of sim/config/load.ts, the same the command line applies to files.
 */
import { ConfigError, resolveExtends, validateScenario } from '../sim/config/load.ts';
import type { ScenarioConfig } from '../sim/config/schema.ts';
import { BUNDLED_SMALL_AREAS } from '../sim/smallAreas.ts';

const files = import.meta.glob<Record<string, unknown>>('../scenarios/*.json', { eager: true, import: 'default' });

export interface BundledScenario {
  name: string;
  title: string;
  description: string;
  raw: Record<string, unknown>;
}

export const BUNDLED: readonly BundledScenario[] = Object.entries(files)
  .map(([path, raw]) => {
    const name = path.slice(path.lastIndexOf('/') + 1, -'.json'.length);
    return {
      name,
      title: typeof raw.title === 'string' ? raw.title : '',
      description: typeof raw.description === 'string' ? raw.description : '',
      raw,
    };
  })
  .sort((a, b) => a.name.localeCompare(b.name));

export const BUNDLED_NAMES = BUNDLED.map((s) => s.name);

export function bundled(name: string): BundledScenario | undefined {
  return BUNDLED.find((s) => s.name === name);
}

/** A scenario object with its `extends` chain resolved against the bundled scenarios. */
export function resolveScenario(raw: unknown, source: string): Record<string, unknown> {
  return resolveExtends(raw, source, (name) => bundled(name)?.raw, BUNDLED_NAMES);
}

/** Parses an uploaded file's text; a syntax error names the file and where it is. */
export function parseScenarioText(text: string, file: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: invalid JSON: ${(err as Error).message}.`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new ConfigError(`${file}: a scenario must be a JSON object.`);
  }
  return json as Record<string, unknown>;
}

/** The bundled small-area tables (data/<name>/*.csv), as text: a browser reads no files. */
const DATA = import.meta.glob<string>('../data/*/*.csv', { query: '?raw', import: 'default', eager: true });

/**
 * A real city's small-area tables filled in, as the command line's host does from files
 * (workers/smallAreas.ts): a bundled data set by name gets its two tables; a scenario that names
 * its own files must carry their text (`areasText`, `neighboursText`), since a page reads no files.
 */
export function withSmallAreas(config: ScenarioConfig, source: string): ScenarioConfig {
  const sa = config.city.smallAreas;
  if (sa === undefined) return config;
  if (typeof sa === 'string') {
    const b = BUNDLED_SMALL_AREAS[sa];
    const areasText = b && DATA[`../${b.areas}`];
    const neighboursText = b && DATA[`../${b.neighbours}`];
    if (!b || areasText === undefined || neighboursText === undefined) {
      throw new ConfigError(
        `${source}: field "city.smallAreas": no bundled small-area data set "${sa}"; bundled: ${Object.keys(BUNDLED_SMALL_AREAS).join(', ')}.`,
        'city.smallAreas',
      );
    }
    return validateScenario(
      { ...config, city: { ...config.city, smallAreas: { areas: b.areas, neighbours: b.neighbours, centre: b.centre, areasText, neighboursText } } },
      source,
    );
  }
  if (sa.areasText === undefined || sa.neighboursText === undefined) {
    throw new ConfigError(
      `${source}: field "city.smallAreas": the lab cannot read the files it names (${sa.areas}, ${sa.neighbours}); ` +
        'put their contents in "areasText" and "neighboursText", or use a bundled data set by name.',
      'city.smallAreas',
    );
  }
  return config;
}
