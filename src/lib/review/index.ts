export { Review, readAnnotator } from './review.svelte';
export { SIDECAR_COLUMNS, annotationsToIpc, labelOf, sidecarRows, type SidecarRows } from './sidecar';
