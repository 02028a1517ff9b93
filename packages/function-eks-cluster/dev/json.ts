/**
 * The one JSON object guard of the workshop and of the workspaces that use it
 * (flux/, configuration/, e2e/): an object that is not null and not an array.
 * It narrows a Json to a JsonObject.
 */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
