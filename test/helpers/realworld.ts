/**
 * The RealWorld API's JSON bodies as the tests expect them on the wire. Written from the spec, not
 * imported from app/: a change to the app's own types must not quietly change what the tests expect.
 * A test names the body it expects (`t.api<ArticleBody>(...)`); the assertions, not the type, check it.
 */

export interface User {
  email: string;
  token: string;
  username: string;
  /** null when never set (or cleared). */
  bio: string | null;
  image: string | null;
}

export interface Profile {
  username: string;
  /** null when never set (or cleared). */
  bio: string | null;
  image: string | null;
  following: boolean;
}

/** An article as listed: everything but the body. */
export interface ArticleSummary {
  slug: string;
  title: string;
  description: string;
  tagList: string[];
  createdAt: string;
  updatedAt: string;
  favorited: boolean;
  favoritesCount: number;
  author: Profile;
}

export interface Article extends ArticleSummary {
  body: string;
}

export interface Comment {
  id: number;
  createdAt: string;
  updatedAt: string;
  body: string;
  author: Profile;
}

/** `{"errors": {"<field or topic>": ["message", ...]}}`, the body of every failure. */
export interface ErrorBody {
  errors: Record<string, string[]>;
}

export interface UserBody {
  user: User;
}
export interface ProfileBody {
  profile: Profile;
}
export interface ArticleBody {
  article: Article;
}
export interface ArticlePage {
  articles: ArticleSummary[];
  articlesCount: number;
}
export interface CommentBody {
  comment: Comment;
}
export interface CommentsBody {
  comments: Comment[];
}
export interface TagsBody {
  tags: string[];
}
/** /livez and /readyz. */
export interface HealthBody {
  status: string;
}

/** The slugs of a page, in order. */
export function slugsOf(page: ArticlePage): string[] {
  return page.articles.map((a) => a.slug);
}
