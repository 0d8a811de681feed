# Every table of this service lives in this schema; its database role owns nothing else.
SCHEMA = "auth"
