/** The input contract (log, cost sheet, per-episode columns), capability checks and mapping suggestions. */
export { COST_COLUMNS, EPISODE_COLUMNS, JOB_INPUTS, LOG_COLUMNS, OUTCOMES, TAG_SEPARATOR, TAG_VOCABULARY, failedSql, logFormatMarkdown, type InputColumn, type Outcome } from './inputs.ts';
export { SCHEMA_SQL, TABLE_HELP, has, quotedIdents, schemaFromRows, schemaFromTables, tableNeed, unmetNeeds, valueChecks, type CellNeed, type Schema } from './capability.ts';
export { describeSuggestion, successValueOf, suggestMapping, type MappingRole, type MappingSuggestion } from './suggest.ts';
