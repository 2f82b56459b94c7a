/**
 * A value that fits a JSON Schema, built from the schema alone: the emulator's stand-in for a
 * model answering in JSON or calling a function. Covers what tool and response schemas use
 * (objects, arrays, scalars, enums, const, anyOf/oneOf); `text` fills the strings, so a round trip
 * shows what the model was asked.
 */
type Schema = Record<string, unknown>;

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

export function fillSchema(schema: unknown, text: string, depth = 0): unknown {
  if (!isSchema(schema) || depth > 8) return {};
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const alternatives = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(alternatives) && alternatives.length > 0) return fillSchema(alternatives.find((a) => isSchema(a) && a.type !== 'null') ?? alternatives[0], text, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      return text.slice(0, 80);
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return [fillSchema(schema.items, text, depth + 1)];
    default: {
      const out: Record<string, unknown> = {};
      const properties = isSchema(schema.properties) ? schema.properties : {};
      for (const [key, sub] of Object.entries(properties)) out[key] = fillSchema(sub, text, depth + 1);
      return out;
    }
  }
}
