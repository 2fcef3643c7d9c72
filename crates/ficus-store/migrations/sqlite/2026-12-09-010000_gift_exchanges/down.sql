DROP TABLE challenge_unmatched;
DROP TABLE challenge_assignments;
DROP TABLE challenge_prompt_tags;
DROP TABLE challenge_prompts;
DROP TABLE challenge_signups;
DROP TABLE gift_exchanges;
