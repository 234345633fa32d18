/** Why a shared notebook (link or file) could not be read or written. */
export type ShareErrorCode =
  | 'format' // unknown payload prefix or file envelope
  | 'base64' // the link text is not base64url (cut off or edited)
  | 'compression' // the bytes do not inflate (damaged link)
  | 'too-large' // over the size cap, compressed or not
  | 'json' // not JSON
  | 'version' // a document version this app cannot read
  | 'invalid'; // JSON of the wrong shape (see `details`)

/** A user-facing error about a shared notebook; `details` lists every validation problem. */
export class ShareError extends Error {
  override name = 'ShareError';
  constructor(
    readonly code: ShareErrorCode,
    message: string,
    readonly details: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
