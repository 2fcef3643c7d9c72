DROP TABLE creator_invitations;
