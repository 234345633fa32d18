/**
 * Local model files chosen in this tab, by cell id. They stay in memory only: a notebook (saved or shared) keeps
 * just their names, and the cell asks for the files again after a reload or on someone else's machine.
 */
export const modelFiles = new Map<string, File[]>();
