export { NotebookRunner, PLOT_ROW_LIMIT, type NotebookDb, type RunnerHooks } from './runner';
export { dependencyGraph, downstreamOf, namesProduced, namesRead } from './deps';
export { scanSql, splitStatements, referencedNames, queryShape } from './sql-scan';
export { makeCell, freshName, newCellId } from './cells';
export { CELL_NAME, ResultData, type OutcomeMapping, type CellData, type CellKind, type CellRuntime, type CellStatus, type NotebookDoc } from './types';
export { healthNotebook, exploreNotebook, demoSources } from './templates';
export { formCells, formOf, matchesForm, ownerOf, regenerate, setEdited } from './analysis-cells';
export { resultsKey, saveCell, isSavedResults, SAVED_ROW_LIMIT, type SavedResults, type SavedCell } from './saved-results';
