export { Session, resolveUrl, saveBudget, type LoadState } from './session.svelte';
export { routeFromUrl, foreignHosts, type Route } from './route';
export { resolveOpening, fetchNotebook, LOCAL_ID_PARAM, type Opening, type LocalNotebooks } from './opening';
export { Library } from './library.svelte';
export { mcapNotebook } from './mcap-notebook';
