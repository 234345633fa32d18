export { healthNotebook, demoSources } from './health';
export { exploreNotebook } from './explore';
