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
