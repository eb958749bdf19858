import { getDestinationType } from "../../messages/destinations/registry";
import { destinationOptionsInput } from "../../messages/options";
import { type FieldSpec, fieldSpecs } from "./form-fields";

const configCache = new Map<string, FieldSpec[]>();

/** A destination type's settings as form fields, from its adapter's config schema; secret ones masked. */
export function configSpecs(type: string): FieldSpec[] {
  let specs = configCache.get(type);
  if (!specs) {
    const adapter = getDestinationType(type);
    specs = fieldSpecs(adapter.configSchema({ allowHttp: true }), adapter.secretFields as readonly string[]);
    configCache.set(type, specs);
  }
  return specs;
}

/** A destination's options (presentation and event settings) as form fields. */
export const optionSpecs: FieldSpec[] = fieldSpecs(destinationOptionsInput);
