import { sql, type Kysely } from 'kysely';

/**
 * The whole RealWorld schema. Indexes are chosen for the hot paths (checked with EXPLAIN in
 * test/integration/explain.test.ts):
 * - list pages order by articles.id DESC (the primary key, so no filesort);
 * - author filter: articles(author_id, id); tag filter: article_tags(tag_id, article_id);
 *   favorited filter: favorites(user_id, article_id) PK; feed: follows(follower_id, followee_id) PK;
 * - page loaders: article_tags PK (article_id, tag_id), favorites PK for "favorited by me",
 *   follows PK for "following"; comments(article_id, id).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const ts = (name: string) => sql.raw(`${name} DATETIME(3) NOT NULL`);
  await sql`
    CREATE TABLE users (
      id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      username VARCHAR(40) NOT NULL,
      email VARCHAR(254) NOT NULL,
      password_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      bio VARCHAR(2000) NOT NULL DEFAULT '',
      image VARCHAR(2048) NOT NULL DEFAULT '',
      ${ts('created_at')},
      ${ts('updated_at')},
      UNIQUE KEY users_username_unique (username),
      UNIQUE KEY users_email_unique (email)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE follows (
      follower_id INT UNSIGNED NOT NULL,
      followee_id INT UNSIGNED NOT NULL,
      ${ts('created_at')},
      PRIMARY KEY (follower_id, followee_id),
      KEY follows_followee (followee_id),
      CONSTRAINT follows_follower_fk FOREIGN KEY (follower_id) REFERENCES users (id) ON DELETE CASCADE,
      CONSTRAINT follows_followee_fk FOREIGN KEY (followee_id) REFERENCES users (id) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE articles (
      id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      slug VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      author_id INT UNSIGNED NOT NULL,
      title VARCHAR(200) NOT NULL,
      description VARCHAR(500) NOT NULL,
      body MEDIUMTEXT NOT NULL,
      favorites_count INT UNSIGNED NOT NULL DEFAULT 0,
      ${ts('created_at')},
      ${ts('updated_at')},
      UNIQUE KEY articles_slug_unique (slug),
      KEY articles_author (author_id, id),
      CONSTRAINT articles_author_fk FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE tags (
      id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      name VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
      UNIQUE KEY tags_name_unique (name)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`.execute(db);

  await sql`
    CREATE TABLE article_tags (
      article_id INT UNSIGNED NOT NULL,
      tag_id INT UNSIGNED NOT NULL,
      PRIMARY KEY (article_id, tag_id),
      KEY article_tags_tag (tag_id, article_id),
      CONSTRAINT article_tags_article_fk FOREIGN KEY (article_id) REFERENCES articles (id) ON DELETE CASCADE,
      CONSTRAINT article_tags_tag_fk FOREIGN KEY (tag_id) REFERENCES tags (id) ON DELETE CASCADE
    ) ENGINE=InnoDB`.execute(db);

  await sql`
    CREATE TABLE favorites (
      user_id INT UNSIGNED NOT NULL,
      article_id INT UNSIGNED NOT NULL,
      ${ts('created_at')},
      PRIMARY KEY (user_id, article_id),
      KEY favorites_article (article_id, user_id),
      CONSTRAINT favorites_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
      CONSTRAINT favorites_article_fk FOREIGN KEY (article_id) REFERENCES articles (id) ON DELETE CASCADE
    ) ENGINE=InnoDB`.execute(db);

  await sql`
    CREATE TABLE comments (
      id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      article_id INT UNSIGNED NOT NULL,
      author_id INT UNSIGNED NOT NULL,
      body TEXT NOT NULL,
      ${ts('created_at')},
      ${ts('updated_at')},
      KEY comments_article (article_id, id),
      KEY comments_author (author_id),
      CONSTRAINT comments_article_fk FOREIGN KEY (article_id) REFERENCES articles (id) ON DELETE CASCADE,
      CONSTRAINT comments_author_fk FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['comments', 'favorites', 'article_tags', 'tags', 'articles', 'follows', 'users']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
