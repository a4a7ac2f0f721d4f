import { randomBytes } from 'node:crypto';

/** "How to train your dragon!" -> "how-to-train-your-dragon"; never empty, ASCII only, <= 200 chars. */
export function slugify(title: string): string {
  const base = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 200)
    .replace(/-+$/g, '');
  return base || 'article';
}

/** Used when the plain slug is taken: a short random suffix keeps the slug readable and unique. */
export function uniqueSlug(base: string): string {
  return `${base}-${randomBytes(4).toString('hex')}`;
}

/**
 * Whether a path segment can name a stored slug: slugs are printable ASCII of at most 255 bytes
 * (articles.slug is VARCHAR(255) ascii_bin). Every slug lookup checks this first, so anything else
 * is simply not found: comparing a non-ASCII parameter with the ascii_bin column is an error in
 * MariaDB (ER_CANT_AGGREGATE_2COLLATIONS), not a miss.
 */
export function canBeSlug(slug: string): boolean {
  return /^[\x21-\x7e]{1,255}$/.test(slug);
}
