DROP TABLE collection_items;
DROP TABLE collection_participants;
DROP TABLE collections;
