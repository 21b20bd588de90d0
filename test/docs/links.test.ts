import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The README and every page of docs/ stand on their own: each has one title, and each relative
 * link names a file of the project and, with `#anchor`, a heading of that file.
 */

const ROOT = resolve(__dirname, '..', '..');
const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => join('docs', name))];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function headings(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map(([, title]) => anchor(title)));
}

function links(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target);
}

it.each(PAGES)('%s has one title', (page) => {
  const text = readFileSync(join(ROOT, page), 'utf8').replace(/```[\s\S]*?```/g, '');
  expect(text.match(/^# /gm)).toHaveLength(1);
  expect(text.startsWith('# ')).toBe(true);
});

it.each(PAGES)('every relative link of %s resolves', (page) => {
  const broken: string[] = [];
  for (const target of links(join(ROOT, page))) {
    if (/^[a-z]+:/i.test(target)) continue;
    const [path, fragment] = target.split('#');
    const file = path ? resolve(dirname(join(ROOT, page)), path) : join(ROOT, page);
    if (!existsSync(file)) broken.push(`${target}: no file ${relative(ROOT, file)}`);
    else if (fragment && file.endsWith('.md') && !headings(file).has(fragment)) broken.push(`${target}: no heading #${fragment}`);
  }
  expect(broken).toEqual([]);
});
