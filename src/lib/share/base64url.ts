/**
 * base64url without padding (RFC 4648 §5): safe in URL fragments and in chat apps, some of which
 * drop a trailing `=` from links (svelte.dev's playground hit this with Discord).
 */

const ALPHABET = /^[A-Za-z0-9_-]*$/;
/** btoa/atob take "binary strings"; going through them in slices keeps the argument list small. */
const CHUNK = 0x8000;

/** Bytes → base64url text without `=` padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url text (padding optional) → bytes, or undefined if it is not base64url. */
export function fromBase64Url(text: string): Uint8Array | undefined {
  const bare = text.replace(/=+$/, '');
  // A length of 4k + 1 cannot come from any byte string: the link was cut off or edited.
  if (!ALPHABET.test(bare) || bare.length % 4 === 1) return undefined;
  const padded = bare.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (bare.length % 4)) % 4);
  let binary: string;
  try {
    binary = atob(padded);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
