import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Table types for Kysely. Rows are snake_case; API objects are built from them by the mappers. */

type CreatedAt = ColumnType<Date, Date, never>;

export interface UserTable {
  id: Generated<number>;
  username: string;
  email: string;
  password_hash: string;
  bio: string;
  image: string;
  created_at: CreatedAt;
  updated_at: Date;
}

export interface FollowTable {
  follower_id: number;
  followee_id: number;
  created_at: CreatedAt;
}

export interface ArticleTable {
  id: Generated<number>;
  slug: string;
  author_id: number;
  title: string;
  description: string;
  body: string;
  /** Kept in step with the favorites table inside the same transaction, so lists need no COUNT. */
  favorites_count: Generated<number>;
  created_at: CreatedAt;
  updated_at: Date;
}

export interface TagTable {
  id: Generated<number>;
  name: string;
}

export interface ArticleTagTable {
  article_id: number;
  tag_id: number;
}

export interface FavoriteTable {
  user_id: number;
  article_id: number;
  created_at: CreatedAt;
}

export interface CommentTable {
  id: Generated<number>;
  article_id: number;
  author_id: number;
  body: string;
  created_at: CreatedAt;
  updated_at: Date;
}

export interface Database {
  users: UserTable;
  follows: FollowTable;
  articles: ArticleTable;
  tags: TagTable;
  article_tags: ArticleTagTable;
  favorites: FavoriteTable;
  comments: CommentTable;
}

export type UserRow = Selectable<UserTable>;
export type NewUserRow = Insertable<UserTable>;
export type UserUpdate = Updateable<UserTable>;
export type ArticleRow = Selectable<ArticleTable>;
export type CommentRow = Selectable<CommentTable>;
