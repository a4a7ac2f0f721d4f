import type { Kysely } from 'kysely';
import type { Database, NewUserRow, UserRow, UserUpdate } from '../../db/schema.js';
import { withOperation } from '../../platform/request-context.js';

export function findUserById(db: Kysely<Database>, id: number): Promise<UserRow | undefined> {
  return withOperation('users.by_id', () => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst());
}

export function findUserByEmail(db: Kysely<Database>, email: string): Promise<UserRow | undefined> {
  return withOperation('users.by_email', () => db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst());
}

/** Which of these usernames/emails are taken, in one statement (for field-level 422s). */
export function findUsersTaking(
  db: Kysely<Database>,
  username: string | undefined,
  email: string | undefined,
  exceptId?: number,
): Promise<Pick<UserRow, 'username' | 'email'>[]> {
  return withOperation('users.taken', () => {
    let query = db
      .selectFrom('users')
      .select(['username', 'email'])
      .where((eb) =>
        eb.or([
          ...(username !== undefined ? [eb('username', '=', username)] : []),
          ...(email !== undefined ? [eb('email', '=', email)] : []),
        ]),
      );
    if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
    return query.execute();
  });
}

export async function insertUser(db: Kysely<Database>, row: NewUserRow): Promise<number> {
  const result = await withOperation('users.insert', () => db.insertInto('users').values(row).executeTakeFirstOrThrow());
  return Number(result.insertId);
}

export async function updateUser(db: Kysely<Database>, id: number, changes: UserUpdate): Promise<void> {
  await withOperation('users.update', () => db.updateTable('users').set(changes).where('id', '=', id).execute());
}
