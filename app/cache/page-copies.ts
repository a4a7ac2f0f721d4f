/** A page's bytes as this process last read them from Redis, and the digest Redis holds beside them. */
export interface PageCopy {
  readonly digest: string;
  readonly page: Buffer;
}

export interface PageCopyLimits {
  pages: number;
  bytes: number;
}

/**
 * About a thousand list pages of 6 KB; a stored page is at most 64 KB (PageStore), so the limit
 * on bytes is the one that bounds memory.
 */
const DEFAULT_LIMITS: PageCopyLimits = { pages: 1000, bytes: 8 * 1024 * 1024 };

/**
 * The pages this process last read from Redis, by page field. A lookup that holds a copy asks
 * Redis only for the page's digest and answers with the copy when the digest is unchanged: the
 * same bytes Redis holds at that instant, without their kilobytes crossing the socket again (or,
 * for a signed-in reader, passing through the lookup's script). Freshness stays Redis's: a copy is
 * only ever used after Redis named its digest, in the current epoch, for that page.
 * Bounded in count and bytes; the copies kept longest ago go first.
 */
export class PageCopies {
  private readonly byField = new Map<string, PageCopy>();
  private bytes = 0;

  constructor(private readonly limits: PageCopyLimits = DEFAULT_LIMITS) {}

  get(field: string): PageCopy | undefined {
    return this.byField.get(field);
  }

  keep(field: string, copy: PageCopy): void {
    this.forget(field);
    this.byField.set(field, copy);
    this.bytes += copy.page.length;
    for (const oldest of this.byField.keys()) {
      if (this.byField.size <= this.limits.pages && this.bytes <= this.limits.bytes) break;
      this.forget(oldest);
    }
  }

  private forget(field: string): void {
    const copy = this.byField.get(field);
    if (copy === undefined) return;
    this.byField.delete(field);
    this.bytes -= copy.page.length;
  }
}
