import type { SourceDecl } from '../ingest/source';
import type { NotebookDoc } from '../notebook/types';

/**
 * A first look at MCAP logs: the files, their topics (each one a table), and the episodes mapped from them. It
 * reads only the files' summaries: no cell names a topic table, so opening fetches no message data.
 */
export function mcapNotebook(sources: SourceDecl[]): NotebookDoc {
  return {
    version: 1,
    title: 'MCAP logs',
    sources,
    cells: [
      {
        id: 'intro',
        kind: 'markdown',
        name: 'intro',
        source:
          '# MCAP logs\nEach topic is a table named after it (`/imu/data` → `imu_data`): `log_time`, `publish_time` and `sequence`, then the message\'s fields (nested messages as structs, arrays as lists, times as BIGINT nanoseconds). ' +
          '`mcap_files`, `mcap_channels`, `mcap_schemas`, `mcap_metadata` and `mcap_attachments` describe the files; `episodes` and `frames` map them onto episodes (one per file). ' +
          'A topic\'s messages are read the first time a query names its table, and only those.',
      },
      {
        id: 'files',
        kind: 'sql',
        name: 'files',
        source: `SELECT mcap_file, name, read_mode, messages, round((end_time - start_time) / 1e9, 1) AS duration_s, compression, problems
FROM mcap_files
ORDER BY mcap_file`,
      },
      {
        id: 'topics',
        kind: 'sql',
        name: 'topics',
        source: `SELECT topic, table_name, schema_name, message_encoding, sum(message_count)::BIGINT AS messages, bool_and(decoded) AS decoded, any_value(error) AS error
FROM mcap_channels
GROUP BY topic, table_name, schema_name, message_encoding
ORDER BY topic`,
      },
      {
        id: 'episode_list',
        kind: 'sql',
        name: 'episode_list',
        source: `SELECT episode_index, length, round(duration_s, 2) AS duration_s, task
FROM episodes
ORDER BY episode_index`,
      },
    ],
  };
}
