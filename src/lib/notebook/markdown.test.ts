import { describe, expect, it } from 'vitest';
import { isSafeUrl, MARKDOWN_SANITIZE_CONFIG, markdownToUnsafeHtml, renderMarkdown } from './markdown.ts';

describe('markdownToUnsafeHtml (marked, GFM)', () => {
  it('renders headings, emphasis, code and links', () => {
    const html = markdownToUnsafeHtml('# Title\n\nSome *em* and `code` and [a link](https://example.com).');
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<em>em</em>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<a href="https://example.com">a link</a>');
  });

  it('renders GFM tables, strikethrough, task lists and autolinks', () => {
    const html = markdownToUnsafeHtml('| a | b |\n|---|--:|\n| 1 | 2 |\n\n~~old~~\n\n- [x] done\n- [ ] todo\n\nsee https://example.com');
    expect(html).toContain('<table>');
    expect(html).toContain('<td align="right">2</td>');
    expect(html).toContain('<del>old</del>');
    expect(html).toMatch(/<input checked="" disabled="" type="checkbox"/);
    expect(html).toContain('<a href="https://example.com">https://example.com</a>');
  });

  it('keeps newlines inside paragraphs as spaces (breaks: false) and fenced code classes', () => {
    expect(markdownToUnsafeHtml('a\nb')).toBe('<p>a\nb</p>\n');
    expect(markdownToUnsafeHtml('```sql\nSELECT 1\n```')).toContain('<code class="language-sql">SELECT 1');
  });

  it('passes raw HTML through, which is why it is "unsafe"', () => {
    expect(markdownToUnsafeHtml('<script>alert(1)</script>')).toContain('<script>');
  });
});

describe('isSafeUrl', () => {
  it('allows http(s), mailto, fragments, relative and protocol-relative URLs', () => {
    for (const url of ['https://x.org/a?b#c', 'HTTP://x.org', 'mailto:a@b.c', '#section', '/abs', 'rel/path', './a', '../b', '?q=1', '//cdn.example.com/x.png', 'file.png', 'a:b/c'.replace(':', '%3A')]) {
      expect(isSafeUrl(url), url).toBe(true);
    }
  });

  it('refuses script, data and other schemes, including obfuscated ones', () => {
    for (const url of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'java\nscript:alert(1)',
      '\u0000javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'data:image/png;base64,AAAA',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'blob:https://x.org/uuid',
      'ftp://x.org',
      'tel:123',
    ]) {
      expect(isSafeUrl(url), JSON.stringify(url)).toBe(false);
    }
  });
});

describe('MARKDOWN_SANITIZE_CONFIG', () => {
  it('uses the HTML profile only (no SVG or MathML)', () => {
    expect(MARKDOWN_SANITIZE_CONFIG.USE_PROFILES).toEqual({ html: true });
  });

  it('forbids active and embedding elements', () => {
    for (const tag of ['script', 'style', 'iframe', 'object', 'embed', 'form', 'svg', 'math', 'base', 'link', 'meta', 'button', 'textarea']) {
      expect(MARKDOWN_SANITIZE_CONFIG.FORBID_TAGS, tag).toContain(tag);
    }
  });

  it('forbids style and unchecked URL attributes', () => {
    for (const attr of ['style', 'srcset', 'formaction', 'action', 'ping']) {
      expect(MARKDOWN_SANITIZE_CONFIG.FORBID_ATTR, attr).toContain(attr);
    }
    expect(MARKDOWN_SANITIZE_CONFIG.ALLOW_DATA_ATTR).toBe(false);
  });

  it('limits URI schemes', () => {
    const re = MARKDOWN_SANITIZE_CONFIG.ALLOWED_URI_REGEXP;
    expect(re.test('https://x.org')).toBe(true);
    expect(re.test('mailto:a@b.c')).toBe(true);
    expect(re.test('#x')).toBe(true);
    expect(re.test('javascript:alert(1)')).toBe(false);
    expect(re.test('data:text/html,x')).toBe(false);
    expect(re.test('tel:123')).toBe(false);
  });
});

describe('renderMarkdown', () => {
  it('refuses to run without a DOM instead of returning unsanitised HTML', () => {
    expect(typeof window).toBe('undefined');
    expect(() => renderMarkdown('<img src=x onerror=alert(1)>')).toThrow(/needs a DOM/);
  });
});
