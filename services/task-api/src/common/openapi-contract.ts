import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * Makes the generated document the exact contract where Nest's decorators cannot say it: every
 * object schema rejects unknown properties (the validation pipe does, and responses have none), and
 * an update must name at least one field.
 */
export function exactContract(document: OpenAPIObject): OpenAPIObject {
  const schemas = document.components?.schemas ?? {};
  for (const schema of Object.values(schemas)) {
    if ('type' in schema && schema.type === 'object') schema.additionalProperties ??= false;
  }
  const update = schemas['UpdateTaskDto'];
  if (update && 'type' in update) update.minProperties = 1;
  return document;
}
