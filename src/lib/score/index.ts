/**
 * Model scoring and failure clustering: pure functions (no DOM, no worker) plus the score worker's client.
 */
export { ScoreClient, type LoadedDemoModels, type ScoreJob } from './client.ts';
export { validateMapping, MappingError, type ModelMapping, type InputMapping, type OutputMapping, type DatasetStats, type DatasetShape, type TensorInfo } from './mapping.ts';
export { ensembleDisagreement, ensembleMean, episodeSummaries, calibrateThreshold, collectHere, shadowDisagreement, quantile, type CollectHere, type EpisodeUncertainty, type ShadowResult } from './uncertainty.ts';
export { kmeansAuto, dbscan, suggestEps, type Points, type KMeansChoice, type DbscanResult } from './cluster.ts';
export { map2d, type MapMethod, type Map2d } from './map.ts';
export { summarizeClusters, type ClusterSummary, type WindowMeta, type Distinguishing } from './summary.ts';
export { adjustedRandIndex, auroc, silhouette } from './metrics.ts';
export { fitPca, projectPca, type Pca } from './pca.ts';
export { resultIpc, resultTable, type ColumnSpec } from './arrow.ts';
export { framesFromArrow, episodeRanges, numericColumns, type FrameBlock, type FrameColumn } from './frames.ts';
export { detectOnsets, frameSurprise, type DetectedOnset, type OnsetOptions } from './onsets.ts';
