"""The todos service: each user's todo items."""

# The PostgreSQL schema every table of this service names; its database role owns nothing
# else. DB_SCHEMA may put the tables in another schema at run time (see create_db_engine).
SCHEMA = "todos"
