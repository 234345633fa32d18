export { Session, resolveUrl, type LoadState } from './session.svelte';
export { routeFromUrl, foreignHosts, type Route } from './route';
