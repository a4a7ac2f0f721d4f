/**
 * Ids of committed tag rows this process has read from MySQL, by their exact stored name. Tag rows
 * are never deleted or renamed by the service, so a post whose tags are all known links them with one
 * INSERT instead of an upsert and an INSERT ... SELECT (one statement of a post's five, in the 5:1
 * mix). A row an operator deleted anyway fails that INSERT on its foreign key, and the caller
 * forgets the names and takes the upsert path. Only exact names are kept: MySQL's collation also
 * matches "Rust" to a stored "rust", and such a spelling keeps taking the upsert path.
 */
export class TagIds {
  private readonly ids = new Map<string, number>();

  /** Bounded because tag names are client input: past this many, start over. */
  constructor(private readonly maxNames = 10_000) {}

  /** The ids of all these names, or undefined if any is not known. */
  idsOf(names: readonly string[]): number[] | undefined {
    const ids: number[] = [];
    for (const name of names) {
      const id = this.ids.get(name);
      if (id === undefined) return undefined;
      ids.push(id);
    }
    return ids;
  }

  remember(rows: readonly { id: number; name: string }[]): void {
    if (this.ids.size + rows.length > this.maxNames) this.ids.clear();
    for (const row of rows) this.ids.set(row.name, row.id);
  }

  forget(names: readonly string[]): void {
    for (const name of names) this.ids.delete(name);
  }
}
