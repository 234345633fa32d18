export { formatTemplate, episodeTemplateVars } from './template';
export {
  parseInfo,
  normaliseNames,
  dataColumns,
  DatasetFormatError,
  DEFAULT_FRAME_COLUMNS,
  type DatasetInfo,
  type FeatureInfo,
  type LeRobotVersion,
} from './info';
export { namedElements, namedSelect, pairedNames, type NamedElement } from './named';
