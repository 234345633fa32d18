/** The longest table name (DuckDB takes more, but notebook cell names stop at 63 and topic tables should too). */
const MAX = 63;

/**
 * A SQL-friendly table name for a topic: `/imu/data` → `imu_data`, `/camera/image_raw` → `camera_image_raw`.
 * Lower case, letters, digits and `_`; a leading digit gets `t_`. Unique against `taken` (case-insensitively,
 * like DuckDB), by appending `_2`, `_3`, …; the name is added to `taken`.
 */
export function topicTableName(topic: string, taken: Set<string>): string {
  let base = topic
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!base) base = 'topic';
  if (/^[0-9]/.test(base)) base = `t_${base}`;
  base = base.slice(0, MAX);
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base.slice(0, MAX - String(i).length - 1)}_${i}`;
  taken.add(name);
  return name;
}
