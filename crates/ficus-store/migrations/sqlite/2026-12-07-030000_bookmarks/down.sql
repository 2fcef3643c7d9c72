DROP TABLE bookmark_tags;
DROP TABLE bookmarks;
