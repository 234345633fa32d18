/**
 * Markdown cells → sanitised HTML.
 *
 * Notebooks are shared as files, so markdown is untrusted input: marked turns it into HTML
 * (raw HTML included, GitHub-style), then a dedicated DOMPurify instance strips everything that
 * can run code, load active content, restyle the page or submit data. Only the sanitised string
 * may reach the DOM. Images load only from hosts the reader approved (see share/resources.ts): any other `src`
 * is taken out and reported, so the cell can say why and offer to approve the host.
 */
import DOMPurify, { type Config, type DOMPurify as Purifier, type WindowLike } from 'dompurify';
import { Marked } from 'marked';
import { checkResource, type ResourcePolicy } from '../share/resources.ts';

const marked = new Marked({ gfm: true, breaks: false, async: false });

/**
 * Markdown → HTML with no sanitising at all (raw HTML in the source passes through).
 * Never insert the result into a page; use {@link renderMarkdown}.
 */
export function markdownToUnsafeHtml(src: string): string {
  return marked.parse(src, { async: false });
}

/** Characters browsers ignore inside URLs (`java\tscript:` is still `javascript:`). */
const URL_IGNORED = /[\u0000-\u0020\u00A0\u1680\u180E\u2000-\u2029\u205F\u3000]/g;
/** A scheme prefix, `scheme:`, as browsers parse it. */
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const SAFE_SCHEME = /^(?:https?|mailto):/i;

/**
 * Whether a link or image URL may stay: http(s), mailto, `#fragment`, and relative or
 * protocol-relative URLs. Every other scheme (javascript:, data:, vbscript:, file:, blob:, …) is refused.
 */
export function isSafeUrl(url: string): boolean {
  const compact = url.replace(URL_IGNORED, '');
  if (compact === '' || compact.startsWith('#')) return true;
  if (SAFE_SCHEME.test(compact)) return true;
  // A colon before any '/', '?' or '#' makes it a scheme, so everything else is relative.
  return !HAS_SCHEME.test(compact);
}

/** Attributes whose value is a URL the browser will follow or fetch. */
const URL_ATTRIBUTES: ReadonlySet<string> = new Set(['href', 'src', 'xlink:href', 'action', 'formaction', 'poster', 'background', 'cite', 'longdesc']);

/**
 * DOMPurify settings for markdown cells. HTML only (no SVG or MathML, the usual homes of script
 * vectors); active content, forms, media and styles are forbidden; URLs limited as in {@link isSafeUrl}.
 */
export const MARKDOWN_SANITIZE_CONFIG = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: [
    'script', 'style', 'link', 'meta', 'base', 'title', 'noscript', 'template',
    'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'portal', 'fencedframe',
    'form', 'button', 'select', 'option', 'optgroup', 'textarea', 'datalist', 'output', 'fieldset', 'label',
    'video', 'audio', 'source', 'track', 'picture', 'map', 'area', 'dialog', 'svg', 'math',
  ],
  // style: CSS can overlay the page or exfiltrate via url(); srcset and friends carry URLs unchecked.
  FORBID_ATTR: ['style', 'srcset', 'action', 'formaction', 'ping', 'background', 'poster', 'form', 'autofocus'],
  ALLOW_DATA_ATTR: false,
  // Prefix id/name with "user-content-" so a cell cannot shadow the app's own element ids.
  SANITIZE_NAMED_PROPS: true,
  // Same shape as DOMPurify's default, minus ftp/tel/sms/…; the hook below also refuses data: images.
  ALLOWED_URI_REGEXP: /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i,
  RETURN_TRUSTED_TYPE: false,
} as const satisfies Config;

/**
 * The resource policy of the sanitise call in progress, and the hosts it refused. DOMPurify hooks are per
 * instance, not per call; `sanitize` is synchronous, so setting these around one call is safe.
 */
let activePolicy: ResourcePolicy | null = null;
let refused: Map<string, number> | null = null;

/** Add the hooks DOMPurify's config cannot express. Mutates (and is only used on) our own instance. */
function addHooks(purifier: Purifier): void {
  purifier.addHook('uponSanitizeAttribute', (_node, event) => {
    // DOMPurify lets data: URLs through on <img> regardless of ALLOWED_URI_REGEXP.
    if (URL_ATTRIBUTES.has(event.attrName) && !isSafeUrl(event.attrValue)) event.keepAttr = false;
  });
  purifier.addHook('afterSanitizeAttributes', (node) => {
    const tag = node.tagName;
    // Only code-language classes survive, so a cell cannot borrow the app's styles (overlays, buttons).
    if (node.hasAttribute('class')) {
      const kept = (node.getAttribute('class') ?? '').split(/\s+/).filter((c) => /^language-[\w+#-]+$/.test(c));
      if (kept.length > 0) node.setAttribute('class', kept.join(' '));
      else node.removeAttribute('class');
    }
    if (tag === 'A' && node.hasAttribute('href')) {
      const href = node.getAttribute('href') ?? '';
      // In-page anchors stay in the page; everything else opens in a new tab without an opener.
      if (!href.trim().startsWith('#')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
    } else if (tag === 'IMG') {
      node.setAttribute('referrerpolicy', 'no-referrer');
      node.setAttribute('loading', 'lazy');
    } else if (tag === 'INPUT') {
      // GFM task lists render <input type="checkbox" disabled>; any other input is made one too.
      node.setAttribute('type', 'checkbox');
      node.setAttribute('disabled', '');
      node.removeAttribute('src');
    }
    // An emptied style attribute can remain (seen on an <input type=image> made a checkbox): no styles at all.
    node.removeAttribute('style');
    // Anything that would load by itself (only <img> survives the config, but the check is on the attribute).
    const src = node.getAttribute('src');
    if (src !== null && activePolicy) {
      const verdict = checkResource(src, activePolicy);
      if (!verdict.ok) {
        node.removeAttribute('src');
        const host = verdict.host ?? '';
        node.setAttribute('data-blocked-host', host);
        node.setAttribute('title', host ? `Image from ${host} not loaded: this notebook has not approved ${host}.` : 'Image not loaded: its address is not one Flywheel loads.');
        refused?.set(host, (refused.get(host) ?? 0) + 1);
      }
    }
  });
}

const purifiers = new WeakMap<object, Purifier>();

/** A DOMPurify instance for `win`, configured with our hooks; created once per window. */
function purifierFor(win: WindowLike): Purifier {
  let purifier = purifiers.get(win);
  if (purifier === undefined) {
    purifier = DOMPurify(win);
    if (!purifier.isSupported) throw new Error('renderMarkdown: DOMPurify does not support this window/document.');
    addHooks(purifier);
    purifiers.set(win, purifier);
  }
  return purifier;
}

/** Options for {@link renderMarkdown}. */
export interface RenderMarkdownOptions {
  /** The window whose DOM sanitises the HTML; defaults to the global `window`. */
  window?: WindowLike;
  /**
   * Where images may load from. Default: the window's own origin only (and data:/blob:, which the sanitiser
   * refuses on its own anyway).
   */
  resources?: ResourcePolicy;
}

/** Markdown as sanitised HTML, with the images that were not loaded, by host. */
export interface RenderedMarkdown {
  html: string;
  /** Host → number of images from it left out; the host is '' for addresses no approval can allow. */
  blocked: Map<string, number>;
}

/**
 * Markdown (GFM) → sanitised HTML, safe to assign to innerHTML. Needs a DOM: pass `window` outside
 * a browser (e.g. a jsdom window), otherwise this throws rather than return unsanitised HTML.
 */
export function renderMarkdown(src: string, options: RenderMarkdownOptions = {}): string {
  return renderMarkdownChecked(src, options).html;
}

/** {@link renderMarkdown}, also saying which images were left out (so the cell can offer to approve their host). */
export function renderMarkdownChecked(src: string, options: RenderMarkdownOptions = {}): RenderedMarkdown {
  const win = options.window ?? (typeof window === 'undefined' ? undefined : (window as unknown as WindowLike));
  if (win === undefined) {
    throw new Error('renderMarkdown needs a DOM to sanitise HTML: call it in the browser or pass { window }.');
  }
  const html = markdownToUnsafeHtml(src);
  const blocked = new Map<string, number>();
  activePolicy = options.resources ?? { page: win.document?.baseURI ?? 'about:blank', hosts: new Set() };
  refused = blocked;
  try {
    return { html: purifierFor(win).sanitize(html, MARKDOWN_SANITIZE_CONFIG), blocked };
  } finally {
    activePolicy = null;
    refused = null;
  }
}
