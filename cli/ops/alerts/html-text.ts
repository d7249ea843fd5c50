/**
 * An alert's HTML body as plain text, for one-line listings. Done here rather than trusting a
 * server's text rendering, because Mailpit's (html2text: `*bold*`, links with their URL) and
 * the offline stand-in's differ, and `alerts list` should print the same line for both.
 * Block ends and `<br>` become line breaks, other tags are dropped, entities decoded.
 */

const BLOCK_END = /<\/(?:p|div|li|tr|table|h[1-6])\s*>|<br\s*\/?>/gi;
const DROPPED = /<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>|<!--[\s\S]*?-->/gi;
const TAG = /<[^>]*>/g;
const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

export function htmlToText(html: string): string {
  const text = decodeEntities(html.replace(DROPPED, '').replace(BLOCK_END, '\n').replace(TAG, ''));
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

export function htmlFirstLine(html: string): string {
  return htmlToText(html).split('\n')[0] ?? '';
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}
