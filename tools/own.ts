// Lookups keyed by what agents and services send. A plain object answers "constructor" or "__proto__" from
// Object.prototype; these answer only what the table itself holds.

/** record[key] if the record itself has that key; undefined for anything else, whatever the key. */
export function own<T>(record: Readonly<Record<PropertyKey, T>>, key: PropertyKey): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
