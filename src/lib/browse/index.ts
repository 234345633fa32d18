/** The episode browser's pure parts: its queries, facets and saved selections. */
export {
  browseSql,
  defaultBrowse,
  facetCandidates,
  facetCondition,
  facetValuesSql,
  distinctSql,
  selectionSql,
  validSelectionName,
  BROWSE_TABLE,
  STAT_COLUMNS,
  type BrowseSpec,
} from './query';
