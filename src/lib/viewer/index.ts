/** The episode viewer's pure parts: frame and seek arithmetic, video paths, queries, markers and shortcuts. */
export { frameAt, timeOfFrame, stepFrame, episodeDuration, formatClock } from './frames';
export { seekTime, frameAtVideoTime, pastWindow, drifted, type VideoWindow } from './seek';
export { episodeVideos, videoKeys, videoColumns, locateFile, type EpisodeVideo, type EpisodeVideos, type VideoInfo, type FileSource } from './paths';
export { frameColumns, catalogFrameColumns, resultColumns, columnId, traceSql, seriesLabel, type TraceColumn } from './columns';
export { imageTopics, imageAtSql, logTimeAt, rgbaFromRaw } from './mcap-images';
export { MARKER_NAME, flagSpans, flagSql, onsetOf, type MarkerSpan } from './markers';
export {
  sliceWhere,
  sliceEpisodesSql,
  overlaySql,
  brushSql,
  normaliseRect,
  rectFromDrag,
  type Normalise,
  type OverlaySpec,
  type Rect,
  type Slice,
} from './overlay';
export { SHORTCUTS, SPEEDS, actionForKey, nextSpeed, type ViewerAction } from './shortcuts';
export {
  jointGroups,
  groupLabel,
  panelChoices,
  defaultPanels,
  seriesStyle,
  zoomWindow,
  panelsSql,
  panelColumns,
  panelSeries,
  PALETTE,
  DASHES,
  type PanelChoice,
  type PanelPart,
  type TracePoint,
} from './panels';
