/**
 * Validators for the providers' official API schemas in ../shared/specs, so tests check what the
 * gateway sends upstream and returns to callers against the real contracts, not our reading of them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import AjvDraft from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { IN_CI } from './requirements.js';

const here = dirname(fileURLToPath(import.meta.url));
/** shared/ sits beside the repository (CI clones main with shared/ next to it); SPECS_DIR says otherwise. */
export const SPECS_DIR = process.env.SPECS_DIR ?? join(here, '..', '..', '..', 'shared', 'specs');

type SpecName = 'openai' | 'openrouter' | 'anthropic' | 'gemini';

const FILES: Record<SpecName, string> = {
  openai: 'openai-openapi.yaml',
  openrouter: 'openrouter-openapi.yaml',
  anthropic: 'anthropic-openapi.json',
  gemini: 'gemini-v1beta-openapi.json',
};

/**
 * OpenAPI's `nullable: true` is not JSON Schema: it becomes a `null` type (or is dropped where a
 * schema has no type of its own). Some specs also use it on 3.1 documents.
 */
function normaliseNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normaliseNullable);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== 'nullable') out[k] = normaliseNullable(v);
  if ((node as { nullable?: unknown }).nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

/** Why the specs cannot be read here, or undefined when they can. */
export const SPECS_MISSING = Object.values(FILES).every((f) => existsSync(join(SPECS_DIR, f)))
  ? undefined
  : `the providers' API specs are not in ${SPECS_DIR} (set SPECS_DIR to the folder holding ${Object.values(FILES).join(', ')})`;

let told = false;

const addFormats = addFormatsModule as unknown as (ajv: unknown) => void;
const cache = new Map<SpecName, { validator: (ref: string) => ValidateFunction }>();

function load(name: SpecName) {
  const cached = cache.get(name);
  if (cached) return cached;
  const text = readFileSync(join(SPECS_DIR, FILES[name]), 'utf8');
  const doc = (FILES[name].endsWith('.yaml') ? parseYaml(text) : JSON.parse(text)) as Record<string, unknown>;
  // OpenAPI 3.1 is JSON Schema 2020-12; Gemini's converted spec is OpenAPI 3.0 (draft-04-ish).
  const is31 = String(doc.openapi).startsWith('3.1');
  const Ctor = is31 ? Ajv2020 : (AjvDraft as unknown as typeof Ajv2020);
  const ajv = new Ctor({ strict: false, allErrors: true, validateFormats: false, discriminator: false });
  addFormats(ajv);
  ajv.addSchema({ $id: 'spec', components: normaliseNullable(doc.components) }, 'spec');
  const validators = new Map<string, ValidateFunction>();
  const entry = {
    validator(ref: string) {
      let v = validators.get(ref);
      if (!v) {
        v = ajv.compile({ $ref: `spec#/components/schemas/${ref}` });
        validators.set(ref, v);
      }
      return v;
    },
  };
  cache.set(name, entry);
  return entry;
}

/** Errors of `value` against `components.schemas[schema]` of a spec; empty when valid. */
export function specErrors(spec: SpecName, schema: string, value: unknown): string[] {
  if (SPECS_MISSING !== undefined) {
    // Under CI a missing spec fails the test; elsewhere the check is skipped, said once.
    if (IN_CI) throw new Error(`missing under CI=true: ${SPECS_MISSING}`);
    if (!told) process.stderr.write(`spec validation skipped: ${SPECS_MISSING}\n`);
    told = true;
    return [];
  }
  const validate = load(spec).validator(schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).slice(0, 8).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
