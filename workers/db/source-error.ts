/** Error for a file that could not be read; the message names the file and says what to check. */
export class SourceError extends Error {
  override name = 'SourceError';
}
