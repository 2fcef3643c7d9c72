DROP TABLE taggings;
DROP TABLE tags;
DROP TABLE work_creators;
DROP TABLE creators;
DROP TABLE chapters;
DROP TABLE works;
