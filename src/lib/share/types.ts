import type { NotebookDoc } from '../notebook/types';

/** How the notebook was laid out when it was shared. */
export interface NotebookLayout {
  /** Name of the cell to scroll to and focus on open. */
  focus?: string;
}

/** A place inside the notebook: a cell, and optionally an episode and a time within it. */
export interface DeepLink {
  /** Cell name (names, unlike ids, are readable in a URL). */
  cell?: string;
  /** Episode index in the dataset. */
  episode?: number;
  /** Seconds from the start of the episode. */
  t?: number;
}

/**
 * The notebook document as shared in links and files: a v1 {@link NotebookDoc} plus optional view state.
 * Still `version: 1` because the new fields are optional and nothing that validates v1 has shipped yet,
 * so every NotebookDoc is a SharedNotebook and the notebook runner can open one unchanged.
 */
export type SharedNotebook = NotebookDoc & {
  layout?: NotebookLayout;
  deepLink?: DeepLink;
  /**
   * Hosts the reader agreed to load resources (Markdown images) from, besides those of the sources and models.
   * Listed in the consent prompt of a shared notebook like every other host it contacts.
   */
  approvedHosts?: string[];
};
