CREATE TABLE works (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    summary TEXT,
    notes TEXT,
    end_notes TEXT,
    language TEXT,
    published_on DATE NOT NULL,
    updated_on DATE NOT NULL,
    complete BOOLEAN NOT NULL DEFAULT FALSE,
    expected_chapters INTEGER,
    chapter_count INTEGER NOT NULL DEFAULT 0,
    word_count BIGINT NOT NULL DEFAULT 0,
    restricted BOOLEAN NOT NULL DEFAULT FALSE,
    posted BOOLEAN NOT NULL DEFAULT TRUE,
    source_path TEXT,
    source_url TEXT,
    content_hash TEXT UNIQUE,
    text_encoding TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX works_updated_idx ON works (updated_on DESC, id DESC);

CREATE TABLE chapters (
    id BIGSERIAL PRIMARY KEY,
    work_id BIGINT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT,
    summary TEXT,
    notes TEXT,
    end_notes TEXT,
    body TEXT NOT NULL,
    word_count BIGINT NOT NULL,
    published_on DATE NOT NULL,
    UNIQUE (work_id, position)
);

CREATE TABLE creators (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL
);
CREATE UNIQUE INDEX creators_name_key_idx ON creators (name_key);

CREATE TABLE work_creators (
    work_id BIGINT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    creator_id BIGINT NOT NULL REFERENCES creators (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (work_id, creator_id)
);
CREATE INDEX work_creators_creator_idx ON work_creators (creator_id);

CREATE TABLE tags (
    id BIGSERIAL PRIMARY KEY,
    tag_type TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    canonical BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (tag_type, name_key)
);
CREATE INDEX tags_name_key_idx ON tags (name_key);

CREATE TABLE taggings (
    work_id BIGINT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (work_id, tag_id)
);
CREATE INDEX taggings_tag_idx ON taggings (tag_id, work_id);
