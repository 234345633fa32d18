export {
  validatePlotSpec,
  PLOT_MARKS,
  COLOR_SCHEMES,
  CHANNEL_KEYS,
  MAX_NAME_LENGTH,
  MAX_LABEL_LENGTH,
  HEIGHT_RANGE,
  type PlotSpec,
  type PlotMark,
  type PlotSort,
  type ChannelKey,
  type PlotSpecValidation,
} from './spec.ts';
export { columnsUsed, checkColumns, type ResultColumn } from './columns.ts';
export { buildPlotOptions, CHART_FONT_FAMILY, type BuildPlotOptionsConfig } from './options.ts';
export { renderPlot, PlotSpecError, type RenderPlotOptions } from './render.ts';
export { resolveSort, type ResolvedSort } from './sort.ts';
export { prepareRows } from './rows.ts';
export { BOOLEAN_COLORS } from './color.ts';
